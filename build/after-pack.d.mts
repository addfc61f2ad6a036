/** Types of build/after-pack.mjs (the electron-builder hook is plain JS so it loads without a compiler). */
import type { FuseV1Config } from '@electron/fuses';

/** The fuse settings of the packaged app. */
export declare function lubdubFuses(platform: string): FuseV1Config;
/** Path of the Electron binary (or .app bundle) electron-builder just packed. */
export declare function electronBinaryPath(context: {
  appOutDir: string;
  electronPlatformName: string;
  packager: { appInfo: { productFilename: string }; executableName?: string };
}): string;
/** The hook electron-builder calls. */
export declare function afterPack(context: Parameters<typeof electronBinaryPath>[0]): Promise<void>;
export default afterPack;

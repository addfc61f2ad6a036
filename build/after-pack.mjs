// electron-builder afterPack hook: burns Lubdub's Electron fuses into the packaged binary,
// after the app is packed and before it is signed (flipping changes the binary's bytes).
// Fuses are compile-time switches that no flag or environment variable can turn back on.
import path from 'node:path';
import { flipFuses, FuseV1Options, FuseVersion } from '@electron/fuses';

/**
 * The fuse settings of the packaged app.
 * - RunAsNode off: ELECTRON_RUN_AS_NODE cannot turn the signed binary into a plain node.
 * - EnableNodeOptionsEnvironmentVariable off: NODE_OPTIONS (--require evil.js) is ignored.
 * - EnableNodeCliInspectArguments off: --inspect/--inspect-brk cannot attach a debugger.
 * - EnableEmbeddedAsarIntegrityValidation on + OnlyLoadAppFromAsar on: only the app.asar
 *   whose header hash electron-builder embedded is loaded; an edited or swapped app is refused.
 * - GrantFileProtocolExtraPrivileges off: Lubdub never loads file:// pages.
 * @param {string} platform electron-builder's electronPlatformName (darwin, mas, win32, linux)
 */
export function lubdubFuses(platform) {
  return {
    version: FuseVersion.V1,
    // Changing the bytes voids macOS's ad-hoc signature; re-sign so an unsigned build still starts.
    resetAdHocDarwinSignature: platform === 'darwin' || platform === 'mas',
    [FuseV1Options.RunAsNode]: false,
    [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
    [FuseV1Options.EnableNodeCliInspectArguments]: false,
    [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
    [FuseV1Options.OnlyLoadAppFromAsar]: true,
    [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
  };
}

/**
 * Path of the Electron binary (or .app bundle) electron-builder just packed.
 * @param {{ appOutDir: string, electronPlatformName: string, packager: { appInfo: { productFilename: string }, executableName?: string } }} context
 */
export function electronBinaryPath(context) {
  const { appOutDir, electronPlatformName, packager } = context;
  switch (electronPlatformName) {
    case 'darwin':
    case 'mas':
      return path.join(appOutDir, `${packager.appInfo.productFilename}.app`);
    case 'win32':
      return path.join(appOutDir, `${packager.appInfo.productFilename}.exe`);
    default:
      return path.join(appOutDir, packager.executableName ?? packager.appInfo.productFilename);
  }
}

/** The hook electron-builder calls (config "afterPack"). */
export async function afterPack(context) {
  const binary = electronBinaryPath(context);
  await flipFuses(binary, lubdubFuses(context.electronPlatformName));
  console.log(`  • lubdub: fuses set in ${binary}`);
}

export default afterPack;

/** What decides which better-sqlite3 build a process loads. */
export interface BindingRuntime {
  /** `process.versions`: `electron` is set inside Electron (main and utility processes) */
  versions: { electron?: string };
  /** `process.platform` */
  platform: string;
  /** `process.arch` */
  arch: string;
  /** `app.isPackaged` */
  packaged: boolean;
  /** `process.resourcesPath` (packaged app) */
  resourcesPath: string;
  /** `app.getAppPath()` (the project folder in development) */
  appPath: string;
}

/** The folder, under the project (dev) or the app's resources (packaged), holding Electron builds. */
export declare const NATIVE_DIR: string;
/** better-sqlite3's addon file name. */
export declare const BINDING_FILE: string;
/** `<baseDir>/native/electron-<version>-<platform>-<arch>/better_sqlite3.node` */
export declare function electronBindingFile(baseDir: string, electronVersion: string, platform: string, arch: string): string;
/** better-sqlite3's `nativeBinding` for a runtime: undefined under Node, the Electron-ABI build under Electron. */
export declare function sqliteNativeBinding(rt: BindingRuntime): string | undefined;

// Where better-sqlite3's Electron-ABI build lives, and which build a runtime loads. Plain
// JavaScript so that build/electron-sqlite.mjs (which makes the file, before any compile)
// and the desktop app (which loads it) share one layout.
import path from 'node:path';

/** The folder, under the project (dev) or the app's resources (packaged), holding Electron builds. */
export const NATIVE_DIR = 'native';

/** better-sqlite3's addon file name. */
export const BINDING_FILE = 'better_sqlite3.node';

/**
 * The Electron-ABI build of better-sqlite3 for one Electron version, platform and CPU:
 * `<baseDir>/native/electron-<version>-<platform>-<arch>/better_sqlite3.node`.
 * @param {string} baseDir
 * @param {string} electronVersion
 * @param {string} platform
 * @param {string} arch
 * @returns {string}
 */
export function electronBindingFile(baseDir, electronVersion, platform, arch) {
  return path.join(baseDir, NATIVE_DIR, `electron-${electronVersion}-${platform}-${arch}`, BINDING_FILE);
}

/**
 * better-sqlite3's `nativeBinding` option for a runtime. Under Node: undefined, the build in
 * node_modules (Node's ABI; `serve` and the tests use it). Under Electron: the Electron-ABI
 * build beside it — in the app's resources when packaged, in the project's native/ folder in
 * development — because Node's build fails to load there (NODE_MODULE_VERSION mismatch).
 * @param {import('./native-binding.d.mts').BindingRuntime} rt
 * @returns {string | undefined}
 */
export function sqliteNativeBinding(rt) {
  const electron = rt.versions.electron;
  if (!electron) return undefined;
  return electronBindingFile(rt.packaged ? rt.resourcesPath : rt.appPath, electron, rt.platform, rt.arch);
}

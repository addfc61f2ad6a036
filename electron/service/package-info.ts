import fs from 'node:fs';
import path from 'node:path';

/**
 * The folder holding Lubdub's package.json, found by walking up from `from`. The same walk
 * works from the TypeScript sources, the compiled `dist-electron/` tree, an installed npm
 * package and the packaged app's asar, so nothing hardcodes how deep a module sits.
 */
export function packageRoot(from = import.meta.dirname): string {
  let d = from;
  for (;;) {
    if (fs.existsSync(path.join(d, 'package.json'))) return d;
    const up = path.dirname(d);
    if (up === d) return from;
    d = up;
  }
}

let cached: string | null = null;

/** The version in package.json: the one number `lubdub --version`, the API and the console show. */
export function packageVersion(): string {
  cached ??= (JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  return cached;
}

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from './serve.js';

const isRoot = process.getuid?.() === 0;

function run(cmd: string[]): boolean {
  const r = spawnSync(cmd[0], cmd.slice(1), { stdio: 'ignore' });
  return r.status === 0;
}

/** Runs a privileged command as root directly, else through passwordless sudo. */
function privileged(cmd: string[]): boolean {
  return isRoot ? run(cmd) : run(['sudo', '-n', ...cmd]);
}

/**
 * A disk the test can fill for real: a tiny tmpfs, mounted as root or through passwordless
 * sudo (what .ci/run needs anyway). Filling it makes SQLite's writes fail with ENOSPC
 * exactly as on a full disk. (A file-size rlimit was tried as a fallback without mount
 * rights: it cannot be set on an already running process in this VM, so it is not used.)
 */
export interface SmallDisk {
  /** a directory on the small disk, to use as the data dir */
  dir: string;
  /** fills the disk to the last block */
  fill(): void;
  /** gives the space back */
  free(): void;
  dispose(): void;
}

/** Mounts a SmallDisk of `bytes` with an empty `data` directory on it. */
export function smallDisk(bytes = 2 * 1024 * 1024): SmallDisk {
  const mountPoint = tempDir('lubdub-disk-');
  const dir = path.join(mountPoint, 'data');
  const filler = path.join(mountPoint, 'filler');
  if (!privileged(['mount', '-t', 'tmpfs', '-o', `size=${bytes},mode=0777`, 'tmpfs', mountPoint])) {
    fs.rmSync(mountPoint, { recursive: true, force: true });
    throw new Error('the disk-full test mounts a small tmpfs: run it as root or with passwordless sudo');
  }
  fs.mkdirSync(dir, { mode: 0o700 });
  return {
    dir,
    fill() {
      const fd = fs.openSync(filler, 'w');
      try {
        for (const size of [64 * 1024, 4096, 512, 1]) {
          const chunk = Buffer.alloc(size);
          try {
            for (;;) fs.writeSync(fd, chunk);
          } catch (e) {
            if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
          }
        }
      } finally {
        fs.closeSync(fd);
      }
    },
    free() {
      fs.rmSync(filler, { force: true });
    },
    dispose() {
      privileged(['umount', '-l', mountPoint]);
      fs.rmSync(mountPoint, { recursive: true, force: true });
    },
  };
}

/**
 * The command that runs `npm run serve` so that file modes apply to it. As root it drops
 * the capabilities that let root ignore file permissions (CAP_DAC_OVERRIDE and
 * CAP_DAC_READ_SEARCH) with setpriv, staying root otherwise (so it can still read the
 * project wherever it was cloned); as anyone else file modes already apply.
 */
export function serveCommandObeyingFileModes(): string[] | undefined {
  if (!isRoot) return undefined;
  return ['setpriv', '--bounding-set=-dac_override,-dac_read_search', '--', 'npm', 'run', '--silent', 'serve', '--'];
}

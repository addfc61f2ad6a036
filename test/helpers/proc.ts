import fs from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ; 100 on Linux). */
export const CLK_TCK = 100;

interface ProcInfo {
  pid: number;
  ppid: number;
  pgid: number;
  cmdline: string;
}

function readProc(pid: number): ProcInfo | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name may hold spaces and parentheses: fields start after the last ')'
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
    return { pid, ppid: Number(rest[1]), pgid: Number(rest[2]), cmdline };
  } catch {
    return null;
  }
}

/**
 * The pid of the Node process that runs the service inside the process group that
 * `npm run serve` leads (npm → sh → tsx → node): the deepest one running cli.[jt]s.
 * Its RSS and CPU time are the service's own, without npm's or the tsx launcher's.
 */
export function servicePid(groupPid: number): number {
  const all = fs
    .readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map((d) => readProc(Number(d)))
    .filter((p): p is ProcInfo => p !== null && p.pgid === groupPid);
  // tsx's own children (esbuild) do not count: the service is the cli.[jt]s process with no such child
  const runners = all.filter((p) => /cli\.[jt]s/.test(p.cmdline));
  const parents = new Set(runners.map((p) => p.ppid));
  const leaf = runners.find((p) => !parents.has(p.pid));
  if (!leaf) throw new Error(`no service process in group ${groupPid}`);
  return leaf.pid;
}

/** Resident memory (bytes) and CPU time used so far (seconds) of a process. */
export function procStats(pid: number): { rss: number; cpuSeconds: number } {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields after ')' start at field 3 (state): utime = 14, stime = 15 → indexes 11, 12
  const cpuSeconds = (Number(f[11]) + Number(f[12])) / CLK_TCK;
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
  return { rss: kb * 1024, cpuSeconds };
}

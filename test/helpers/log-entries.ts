/** One line of the service's log (pino JSON); the CLI's own printed lines are not entries. */
export interface LogEntry {
  level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
  time: string;
  msg: string;
  [field: string]: unknown;
}

/** The log entries in a service's output, in order. */
export function logEntries(output: string): LogEntry[] {
  return output.split('\n').flatMap((line) => {
    if (!line.startsWith('{')) return [];
    try {
      return [JSON.parse(line) as LogEntry];
    } catch {
      return [];
    }
  });
}

/** The messages logged at `level` that match `re`. */
export function logged(output: string, level: LogEntry['level'], re: RegExp): string[] {
  return logEntries(output)
    .filter((e) => e.level === level && re.test(e.msg))
    .map((e) => e.msg);
}

/**
 * Quoting of values interpolated into the code snippets users paste (shell, crontab,
 * PowerShell, Python, systemd). The base URL is already restricted (base-url.ts); these
 * make every snippet safe on their own, whatever a value holds: a value is data, never code.
 */

/** A POSIX shell word: bare when it holds only characters no shell interprets, else single-quoted (as Python's shlex.quote). */
export function shellQuote(s: string): string {
  if (s !== '' && /^[A-Za-z0-9_@+=:,./-]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A PowerShell verbatim string: single quotes, in which only a doubled quote means anything. */
export function powershellQuote(s: string): string {
  return `'${s.replace(/['\u2018\u2019\u201a\u201b]/g, (q) => q + q)}'`;
}

/** A Python string literal (JSON's escapes are all valid in Python). */
export function pythonString(s: string): string {
  return JSON.stringify(s).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/**
 * One argument of a systemd Exec line, double-quoted: `%` and `$` doubled so systemd
 * expands neither a specifier nor a variable, backslash and quote escaped, one line.
 * `rawSuffix` goes in as written (a template unit's `%i`).
 */
export function systemdArg(s: string, rawSuffix = ''): string {
  const out = s
    .replace(/[\r\n]/g, ' ')
    .replace(/[\\"]/g, (c) => `\\${c}`)
    .replace(/\$/g, '$$$$')
    .replace(/%/g, '%%');
  return `"${out}${rawSuffix}"`;
}

/** Free text on one systemd unit line (Description=): one line, no specifiers. */
export function systemdText(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').replace(/%/g, '%%').trim();
}

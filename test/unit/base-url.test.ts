import { describe, expect, it } from 'vitest';
import { baseUrlError } from '../../shared/security/base-url.js';

describe('baseUrlError (what may be pasted into snippets)', () => {
  it.each([
    'http://nas.local:8420',
    'http://nas.local:8420/',
    'https://lubdub.example.com',
    'http://192.168.1.10:8420',
    'http://[fd00::1]:8420',
    'https://proxy.example/lubdub/pings',
    'http://my_nas.lan:8420'.replace('_', '-'),
  ])('allows %s', (u) => {
    expect(baseUrlError(u)).toBeNull();
  });

  it.each([
    ['http://nas.local:8420;reboot', 'semicolon'],
    ['http://nas.local:8420/$(id)', 'command substitution'],
    ['http://nas.local:8420/`id`', 'backticks'],
    ['http://nas.local:8420/${HOME}', 'variable'],
    ["http://nas.local:8420/'x", 'single quote'],
    ['http://nas.local:8420/"x', 'double quote'],
    ['http://nas.local:8420/a b', 'space'],
    ['http://nas.local:8420/\nrm -rf ~', 'newline'],
    ['http://nas.local:8420/\r', 'carriage return'],
    ['http://nas.local:8420/\t', 'tab'],
    ['http://nas.local:8420/%0a', 'percent (crontab newline, systemd specifier)'],
    ['http://nas.local:8420/a&b', 'ampersand'],
    ['http://nas.local:8420/a|b', 'pipe'],
    ['http://nas.local:8420/a>b', 'redirection'],
    ['http://nas.local:8420/\\x', 'backslash'],
    ['http://user:pw@nas.local:8420', 'credentials'],
    ['http://nas.local:8420?x=1', 'query'],
    ['http://nas.local:8420#x', 'fragment'],
    ['http://nas.local:8420/../x', 'dot-dot segment'],
    ['http://nas.local:99999', 'port out of range'],
    ['http://nas.local:0', 'port zero'],
    ['ftp://nas.local', 'scheme'],
    ['javascript:alert(1)', 'javascript'],
    ['file:///etc/passwd', 'file'],
    ['//nas.local:8420', 'no scheme'],
    ['http://', 'no host'],
    ['http://-nas.local', 'label starting with a dash'],
    ['http://[::1', 'broken IPv6'],
    ['http://[zz::1]', 'not hex'],
    ['http://nás.local', 'non-ASCII host'],
    ['http://nas.local\u2028', 'line separator'],
    [' http://nas.local', 'leading space'],
    ['http://' + 'a'.repeat(300), 'too long'],
  ])('refuses %j (%s)', (u) => {
    expect(baseUrlError(u)).not.toBeNull();
  });

  it('refuses what is not a string', () => {
    expect([null, 1, {}, ['http://x']].map(baseUrlError).every((e) => e !== null)).toBe(true);
  });
});

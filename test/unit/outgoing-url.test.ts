import { describe, expect, it } from 'vitest';
import { muteUntil } from '../../electron/service/alerts/routes.js';
import { reminderRule } from '../../electron/service/alerts/feature.js';
import { channelInputError, outgoingUrlError } from '../../shared/alerts/channel-input.js';

describe('outgoingUrlError: where alerts may be sent', () => {
  it.each([
    'http://192.168.1.10:8080/hook',
    'https://ntfy.sh/my-topic',
    'HTTPS://HOOKS.EXAMPLE.COM/x?y=1',
    'http://[::1]:9000/',
    'http://localhost/hook',
  ])('accepts %s', (url) => expect(outgoingUrlError(url)).toBeNull());

  it.each([
    ['', 'url is required'],
    ['file:///etc/passwd', 'url scheme file is not allowed (http or https only)'],
    ['javascript:alert(1)', 'url scheme javascript is not allowed (http or https only)'],
    ['data:text/plain,hi', 'url scheme data is not allowed (http or https only)'],
    ['ftp://example.com/x', 'url scheme ftp is not allowed (http or https only)'],
    ['gopher://example.com:70/', 'url scheme gopher is not allowed (http or https only)'],
    ['ws://example.com/', 'url scheme ws is not allowed (http or https only)'],
    ['//example.com/hook', 'url is not a valid absolute URL'],
    ['example.com/hook', 'url is not a valid absolute URL'],
    ['http:/\\evil.example/', 'url is not a valid absolute URL'],
    ['http:\\\\evil.example/', 'url is not a valid absolute URL'],
    [' http://example.com/', 'url must not contain spaces or control characters'],
    ['http://example.com/\nHost: evil', 'url must not contain spaces or control characters'],
    ['http://user:secret@example.com/', 'url must not contain a user name or password'],
    ['http://user@example.com/', 'url must not contain a user name or password'],
    ['http://' + 'a'.repeat(2000) + '.com/', 'url is too long'],
  ])('refuses %j: %s', (url, why) => expect(outgoingUrlError(url)).toBe(why));

  it('refuses non-strings', () => {
    expect(outgoingUrlError(42)).toBe('url is required');
    expect(outgoingUrlError(null)).toBe('url is required');
  });
});

describe('channelInputError', () => {
  it.each([
    [[], null, 'json root is not an object'],
    [{ kind: 'webhook', config: { url: 'https://x/' }, secret: 1 }, null, 'unknown field secret'],
    [{ kind: 'ntfy', config: { url: 'https://x/', tags: 'a;b' } }, null, 'config.tags must be a comma list of words'],
    [{ kind: 'ntfy', config: { url: 'https://x/', token: 'has space' } }, null, 'config.token must be printable ASCII without spaces'],
    [{ name: 5 }, 'desktop', 'name is not a string'],
    [{ new_checks: 'yes' }, 'desktop', 'new_checks is not a boolean'],
    [{ config: [] }, 'webhook', 'config is not an object'],
    [{}, null, 'kind is required'],
  ] as const)('%j (existing %s) → %s', (body, kind, want) => expect(channelInputError(body, kind)).toBe(want));

  it.each([
    [{ kind: 'desktop' }, null],
    [{ kind: 'ntfy', name: 'phone', config: { url: 'https://ntfy.sh/t', priority: 5, tags: 'nas,backup', token: 'tk_x' } }, null],
    [{ name: 'renamed' }, 'webhook'],
  ] as const)('accepts %j', (body, kind) => expect(channelInputError(body, kind)).toBeNull());
});

describe('mute times', () => {
  const now = Date.parse('2024-01-01T00:00:00Z');
  it('reads seconds, RFC 3339 and null', () => {
    expect(muteUntil({ seconds: 60 }, now)).toBe(now + 60_000);
    expect(muteUntil({ seconds: 0 }, now)).toBeNull();
    expect(muteUntil({ until: '2024-01-01T02:00:00+02:00' }, now)).toBeNull(); // already past: unmute
    expect(muteUntil({ until: '2024-01-01T03:00:00+02:00' }, now)).toBe(now + 3600_000);
    expect(muteUntil({ until: null }, now)).toBeNull();
  });
});

describe('reminder_every', () => {
  it.each([
    [0, null],
    [null, null],
    [60, null],
    [86400, null],
    [59, 'reminder_every is too small (minimum 60 seconds, or 0 for off)'],
    [1.5, 'reminder_every is not an integer'],
    ['3600', 'reminder_every is not an integer'],
    [31536001, 'reminder_every is too large'],
  ])('%j → %s', (v, want) => expect(reminderRule(v, 'reminder_every')).toBe(want));
});

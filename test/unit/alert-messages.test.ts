import { describe, expect, it } from 'vitest';
import { escapeMarkup, hasDesktopSession } from '../../electron/service/alerts/channels/desktop.js';
import { headerText } from '../../electron/service/alerts/channels/ntfy.js';
import { downMessage, plainText, upMessage, webhookPayload, type AlertCheck } from '../../shared/alerts/messages.js';

const t = (iso: string) => Date.parse(iso);
const S = 1000;
const M = 60 * S;
const H = 60 * M;

describe('plainText: strings from pings shown as one line of text', () => {
  it.each([
    ['a\nb\r\nc', 'a b c'],
    ['tab\there', 'tab here'],
    ['bell\u0007 nul\u0000', 'bell nul'],
    ['right-to-left \u202eoverride\u202c', 'right-to-left override'],
    ['isolate \u2066x\u2069', 'isolate x'],
    ['<b>markup</b> & stays text', '<b>markup</b> & stays text'],
    ['   padded   ', 'padded'],
  ])('%j → %j', (raw, want) => expect(plainText(raw)).toBe(want));

  it('cuts long text with an ellipsis', () => {
    expect(plainText('x'.repeat(500), 10)).toBe('xxxxxxxxx…');
  });
});

describe('messages', () => {
  const check: AlertCheck = { uuid: 'u', name: 'backup', status: 'down', reason: 'exit status 3', reason_code: 'fail', last_ping: null, last_body: 'disk full', console_url: 'http://x/?check=u' };
  it('down: title names the check, body the reason and the last output', () => {
    expect(downMessage(check, '2024-01-01T00:00:00+00:00')).toMatchObject({ title: 'backup is down', body: 'exit status 3; last output: disk full' });
  });
  it('down by an assertion: the body leads with the check\'s down_reason, as the assertion worded it', () => {
    const reason = 'backup wrote 0 B (written_bytes > 0)';
    const m = downMessage({ ...check, reason, reason_code: 'assertion', last_body: 'snapshot 8f2d1a3b saved' }, 'at');
    expect(m.body).toBe(`${reason}; last output: snapshot 8f2d1a3b saved`);
    expect(webhookPayload(m, 'd1')).toMatchObject({ reason, reason_code: 'assertion', message: m.body });
  });
  it('up: "back up after 3 h 12 min"', () => {
    expect(upMessage({ ...check, status: 'up', reason: '' }, 3 * H + 12 * M, 'x').body).toBe('back up after 3 h 12 min');
  });
  it("the webhook payload has its documented fields, and the reason's code beside its words", () => {
    const p = webhookPayload(downMessage(check, 'at'), 'd1');
    expect(Object.keys(p).sort()).toEqual(
      ['at', 'checks', 'console_url', 'delivery_id', 'kind', 'last_body', 'last_ping', 'message', 'name', 'reason', 'reason_code', 'status', 'title', 'uuid'].sort(),
    );
  });
});

describe('channel text encodings', () => {
  it.each([
    ['backup is down', 'backup is down'],
    ['Müller is down', `=?UTF-8?B?${Buffer.from('Müller is down').toString('base64')}?=`],
    ['line\r\nbreak', 'line break'],
  ])('ntfy header %j → %j', (raw, want) => expect(headerText(raw)).toBe(want));

  it('notify-send bodies escape markup so a ping body stays text', () => {
    expect(escapeMarkup('<a href="x">&</a>')).toBe('&lt;a href="x"&gt;&amp;&lt;/a&gt;');
  });

  it.each([
    [{}, 'linux', false],
    [{ DISPLAY: ':0' }, 'linux', true],
    [{ DBUS_SESSION_BUS_ADDRESS: 'unix:path=/run/user/1000/bus' }, 'linux', true],
    [{ WAYLAND_DISPLAY: 'wayland-0' }, 'freebsd', true],
    [{}, 'darwin', true],
    [{}, 'win32', true],
  ] as const)('desktop session %j on %s: %s', (env, platform, want) => {
    expect(hasDesktopSession(env as NodeJS.ProcessEnv, platform as NodeJS.Platform)).toBe(want);
  });
});

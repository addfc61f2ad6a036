import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createCheck, serve, tempDir, waitFor, type Served } from '../helpers/serve.js';

let s: Served | null = null;
afterEach(async () => {
  await s?.stop();
  s = null;
});

/**
 * A real notification daemon without a desktop (RECIPES.md): Xvfb for dunst, a private
 * session bus, dbus-monitor recording every Notify call; the service runs inside as "$@".
 */
const SESSION = `
dunst -print > "$LOGS/dunst.log" 2>&1 & D=$!
dbus-monitor --session "type=method_call,interface=org.freedesktop.Notifications,member=Notify" > "$LOGS/notify.log" 2>&1 & M=$!
until dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \\
    org.freedesktop.DBus.NameHasOwner string:org.freedesktop.Notifications 2>/dev/null | grep -q "boolean true"; do sleep 0.1; done
"$@"; rc=$?
sleep 0.3; kill $D $M; exit $rc
`;

describe('desktop channel, headless (node-notifier → notify-send → a real notification daemon)', () => {
  it('a down check raises one Notify call with the check name; the ping text stays text', async () => {
    const logs = tempDir('lubdub-notify-');
    s = await serve({
      wrap: ['xvfb-run', '-a', '-s', '-screen 0 1280x800x24', 'dbus-run-session', '--', 'bash', '-c', SESSION, 'bash'],
      env: { LUBDUB_DESKTOP_NOTIFIER: 'true', LOGS: logs },
      timeoutMs: 40_000,
    });
    // A new check gets the desktop channel created on first start.
    const check = await createCheck(s, { name: 'certbot renew', timeout: 60, grace: 60 });
    expect((await fetch(`${s.pingUrl}/ping/${check.uuid}/1`, { method: 'POST', body: '<b>rate limited</b> & retry' })).status).toBe(200);

    const notifyLog = path.join(logs, 'notify.log');
    const log = await waitFor(() => {
      const text = fs.existsSync(notifyLog) ? fs.readFileSync(notifyLog, 'utf8') : '';
      return text.includes('certbot renew is down') ? text : '';
    }, 20_000, 100);
    const calls = log.split('member=Notify').slice(1);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toContain('string "Lubdub"');
    expect(calls[0]).toContain('string "certbot renew is down"');
    // markup-capable daemons are told to show the body literally
    expect(calls[0]).toContain('string "exit status 1; last output: &lt;b&gt;rate limited&lt;/b&gt; &amp; retry"');
    await waitFor(() => fs.readFileSync(path.join(logs, 'dunst.log'), 'utf8').includes('certbot renew is down'), 5000, 100);

    const ds = await waitFor(async () => {
      const r = (await (await s!.api(`/api/lubdub/deliveries?check=${check.uuid}`)).json()) as { deliveries: { channel_kind: string; status: string }[] };
      return r.deliveries[0]?.status === 'sent' ? r.deliveries : null;
    });
    expect(ds!.map((d) => [d.channel_kind, d.status])).toEqual([['desktop', 'sent']]);
  });
});

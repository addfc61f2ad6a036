/** The service stops promptly even while event-stream clients (a console, the desktop shell) are connected. */
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../electron/service/clock.js';
import { defaults } from '../../electron/service/config.js';
import { startService } from '../../electron/service/service.js';
import { tempDir } from '../helpers/serve.js';

describe('stop with open event streams', () => {
  it('ends the streams instead of waiting for them forever', async () => {
    const svc = await startService({ ...defaults(), dataDir: tempDir(), pingHost: '127.0.0.1', pingPort: 0, uiPort: 0, desktopNotifier: false, logLevel: 'warn' }, systemClock, []);
    const open = await Promise.all(
      [1, 2].map(() => fetch(`${svc.uiUrl}/api/events`, { headers: { 'x-api-key': svc.runtime.apiKey } })),
    );
    expect(open.map((r) => r.status)).toEqual([200, 200]);
    const reads = open.map((r) => r.text().then(() => 'ended', () => 'aborted'));
    const t0 = Date.now();
    await svc.stop();
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(await Promise.all(reads)).toHaveLength(2);
  });
});

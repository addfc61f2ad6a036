import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { SERVICE_ENV, SERVICE_NODE_FLAGS } from '../../electron/service/node-flags.js';
import { servicePid } from '../helpers/proc.js';
import { serve, type Served } from '../helpers/serve.js';

/** `npm run serve`'s node runs with the service's flags and environment (memory: docs/performance.md). */

let s: Served | null = null;
afterEach(async () => {
  await s?.dispose();
  s = null;
});

describe('npm run serve', () => {
  it("starts the service's node with SERVICE_NODE_FLAGS and SERVICE_ENV", async () => {
    s = await serve();
    const pid = servicePid(s.proc.pid!);
    const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    for (const flag of SERVICE_NODE_FLAGS) expect(argv).toContain(flag);
    const environ = fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    for (const [k, v] of Object.entries(SERVICE_ENV)) expect(environ).toContain(`${k}=${v}`);
    expect((await s.api('/api/v3/checks/')).status).toBe(200);
  });
});

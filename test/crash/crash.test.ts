import { describe, expect, it } from 'vitest';
import { runCrashCycles } from './crash.js';

describe('kill -9 under load (SPEC §9)', () => {
  it('loses no acknowledged ping, stores none twice, keeps check state equal to a replay of its pings and alerts each flip once, over 20 kills', async () => {
    const lines: string[] = [];
    const r = await runCrashCycles({ cycles: 20, log: (l) => lines.push(l) });
    expect(r.failures, lines.join('\n')).toEqual([]);
    expect(r.cycles).toBe(20);
    // the kills must land under real load, with acknowledged pings to lose
    expect(r.acked).toBeGreaterThan(200);
    expect(r.refused).toBe(0);
    expect(r.flipsChecked).toBeGreaterThan(0);
    // the flips went out as real webhook alerts, each once (see verifyFlipDeliveries)
    const alerts = Number(/^(\d+) flip alerts/.exec(r.deliveries)?.[1] ?? 0);
    expect(alerts, r.deliveries).toBeGreaterThan(0);
  }, 240_000);
});

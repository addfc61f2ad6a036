import { describe, expect, it } from 'vitest';
import { parsePingPath, parseRid, parseTs } from '../../shared/domain/ping-url.js';

const U = '5bf66975-d4c7-4bf5-bcc8-b8d8a82ea278';

describe('parsePingPath', () => {
  it.each([
    [`/ping/${U}`, { by: 'uuid', action: 'success', explicit: false, exitStatus: null }],
    [`/${U}`, { by: 'uuid', action: 'success', explicit: false, exitStatus: null }],
    [`/${U}/`, { by: 'uuid', action: 'success', explicit: false, exitStatus: null }],
    [`/ping/${U}/start`, { by: 'uuid', action: 'start', explicit: true, exitStatus: null }],
    [`/ping/${U}/fail/`, { by: 'uuid', action: 'fail', explicit: true, exitStatus: null }],
    [`/${U}/log`, { by: 'uuid', action: 'log', explicit: true, exitStatus: null }],
    [`/${U}/0`, { by: 'uuid', action: 'success', explicit: true, exitStatus: 0 }],
    [`/${U}/255`, { by: 'uuid', action: 'fail', explicit: true, exitStatus: 255 }],
    ['/ping/abcdefghij0123456789ab/db-backup', { by: 'slug', action: 'success', explicit: false, exitStatus: null }],
    ['/ping/abcdefghij0123456789ab/db_backup-2/1', { by: 'slug', action: 'fail', explicit: true, exitStatus: 1 }],
    ['/api/push/tOkEn_123', { by: 'push', action: 'success', explicit: false, exitStatus: null }],
  ])('%s', (path, want) => {
    const r = parsePingPath(path);
    expect('target' in r).toBe(true);
    if (!('target' in r)) return;
    expect({ by: r.target.by, action: r.action, explicit: r.explicit, exitStatus: r.exitStatus }).toEqual(want);
  });

  it.each([
    [`/ping/${U}/256`, 400, 'invalid url format'],
    [`/ping/${U}/1000`, 400, 'invalid url format'],
    ['/ping/abcdefghij0123456789ab/DB-Backup', 400, 'invalid url format'],
    [`/ping/${U}/-1`, 404, 'not found'],
    [`/ping/${U}/1e3`, 404, 'not found'],
    [`/ping/${U.toUpperCase()}`, 404, 'not found'],
    [`/ping/${U}//`, 404, 'not found'],
    [`/ping/${U}/start/x`, 404, 'not found'],
    ['/ping/../../etc/passwd', 404, 'not found'],
    ['/ping/key/slug%00', 404, 'not found'],
    ['/' + 'a'.repeat(10_000), 404, 'not found'],
    ['/wrap', 404, 'not found'],
    ['/', 404, 'not found'],
    ['', 404, 'not found'],
    ['/api/push/', 404, 'not found'],
    ['/api/v3/checks/', 404, 'not found'],
  ])('%s → %i %s', (path, status, message) => {
    expect(parsePingPath(path)).toEqual({ status, message });
  });
});

describe('parseRid', () => {
  it('accepts the forms Python uuid.UUID accepts and returns them canonical', () => {
    expect(parseRid(U.toUpperCase())).toBe(U);
    expect(parseRid(U.replace(/-/g, ''))).toBe(U);
    expect(parseRid(`{${U}}`)).toBe(U);
    expect(parseRid(`urn:uuid:${U}`)).toBe(U);
    expect(parseRid(undefined)).toBeNull();
    expect(parseRid('')).toBeNull();
  });
  it.each(['x', '123', `${U}0`, `{${U}`, `${U.slice(0, 9)}-${U.slice(9)}`, 'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz', 'a'.repeat(5000)])('refuses %s', (rid) => {
    expect(parseRid(rid)).toEqual({ error: 'invalid uuid format' });
  });
});

describe('parseTs', () => {
  const now = Date.parse('2024-06-01T12:00:00Z');
  it.each([
    ['1717243200', Date.parse('2024-06-01T12:00:00Z')],
    ['1717243199.5', Date.parse('2024-06-01T11:59:59.500Z')],
    ['2024-06-01T10:00:00Z', Date.parse('2024-06-01T10:00:00Z')],
    ['2024-06-01T13:00:00+02:00', Date.parse('2024-06-01T11:00:00Z')],
    ['2024-06-01T12:00:59Z', Date.parse('2024-06-01T12:00:59Z')],
  ])('%s', (ts, want) => {
    expect(parseTs(ts, now)).toBe(want);
  });
  it.each([
    ['2024-06-01T12:01:01Z', 'ts is in the future'],
    ['2024-05-25T11:59:59Z', 'ts is older than 7 days'],
    ['yesterday', 'invalid ts format'],
    ['-5', 'invalid ts format'],
    ['2024-06-01', 'invalid ts format'],
  ])('%s → %s', (ts, error) => {
    expect(parseTs(ts, now)).toEqual({ error });
  });
});

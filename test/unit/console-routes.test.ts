import { describe, expect, it } from 'vitest';
import { alertLinkTarget, CONSOLE_PATHS, parseConsolePath } from '../../shared/api/console-routes.js';

const uuid = '6f1c2f4e-1c1b-4a55-9d0b-2a8e6b9e7c11';

describe('console paths: every path the console links to is a page its router knows', () => {
  it.each([
    [CONSOLE_PATHS.overview, { name: 'overview' }],
    [CONSOLE_PATHS.newCheck, { name: 'new' }],
    [CONSOLE_PATHS.settings, { name: 'settings' }],
    [CONSOLE_PATHS.tray, { name: 'tray' }],
    [CONSOLE_PATHS.check(uuid), { name: 'detail', uuid }],
    [CONSOLE_PATHS.editCheck(uuid), { name: 'edit', uuid }],
  ])('%s', (path, route) => expect(parseConsolePath(path)).toEqual(route));

  it.each(['/checks', '/checks/', `/checks/${uuid}/delete`, '/settings/', '/api/v3/checks/', `/checks/${uuid}/../settings`])('%s is no page', (path) => {
    expect(parseConsolePath(path)).toEqual({ name: 'missing' });
  });

  it('an alert\'s link leads to the check\'s page', () => {
    const link = new URL(CONSOLE_PATHS.alertLink(uuid), 'http://127.0.0.1:8421');
    expect(link.href).toBe(`http://127.0.0.1:8421/?check=${uuid}`);
    expect(alertLinkTarget(link.pathname, link.search)).toBe(CONSOLE_PATHS.check(uuid));
  });
});

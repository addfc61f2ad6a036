import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { autostartDesktopEntry, autostartPath, desktopExecArg, linuxLoginExec, startAtLogin, startedAtLogin } from '../../../electron/app/login-item.js';
import { createFakeElectron } from '../../helpers/fake-electron.js';
import { tempDir } from '../../helpers/serve.js';

describe('desktopExecArg (Desktop Entry spec quoting)', () => {
  it.each([
    ['/opt/Lubdub/lubdub', '/opt/Lubdub/lubdub'],
    ['--hidden', '--hidden'],
    ['/home/me/Apps/Lubdub 0.1.0.AppImage', '"/home/me/Apps/Lubdub 0.1.0.AppImage"'],
    ['/home/me/$HOME/x', '"/home/me/\\\\$HOME/x"'],
    ['/a"b', '"/a\\\\"b"'],
    ['/a`b`', '"/a\\\\`b\\\\`"'],
    ['/back\\slash', '"/back\\\\\\\\slash"'],
    ['/100%/lubdub', '/100%%/lubdub'],
    ['/with space/100%', '"/with space/100%%"'],
    ['/semi;colon', '"/semi;colon"'],
    ['', '""'],
  ])('%s → %s', (arg, want) => {
    expect(desktopExecArg(arg)).toBe(want);
  });

  it('refuses a newline (it would end the Exec line and start a new key)', () => {
    expect(() => desktopExecArg('/x\nExec=evil')).toThrow(/newline/);
  });
});

describe('autostartDesktopEntry', () => {
  it('is a valid XDG autostart file starting Lubdub hidden', () => {
    expect(
      autostartDesktopEntry({ exec: '/home/me/Apps/Lubdub 0.1.0.AppImage', args: ['--hidden'], name: 'Lubdub', comment: 'Heartbeat monitor', icon: 'lubdub' }),
    ).toBe(
      [
        '[Desktop Entry]',
        'Type=Application',
        'Version=1.0',
        'Name=Lubdub',
        'Comment=Heartbeat monitor',
        'Exec="/home/me/Apps/Lubdub 0.1.0.AppImage" --hidden',
        'Icon=lubdub',
        'Terminal=false',
        'X-GNOME-Autostart-enabled=true',
        '',
      ].join('\n'),
    );
  });

  it('a name with a newline cannot inject keys', () => {
    const text = autostartDesktopEntry({ exec: '/x', args: [], name: 'A\nExec=/evil', comment: 'c', icon: 'i' });
    expect(text.split('\n').filter((l) => l.startsWith('Exec='))).toEqual(['Exec=/x']);
  });
});

describe('where and what starts at login on Linux', () => {
  it('$XDG_CONFIG_HOME/autostart, else ~/.config/autostart (a relative XDG path is ignored, as the spec says)', () => {
    expect(autostartPath({ XDG_CONFIG_HOME: '/cfg' }, '/home/me')).toBe('/cfg/autostart/lubdub.desktop');
    expect(autostartPath({}, '/home/me')).toBe('/home/me/.config/autostart/lubdub.desktop');
    expect(autostartPath({ XDG_CONFIG_HOME: 'rel' }, '/home/me')).toBe('/home/me/.config/autostart/lubdub.desktop');
  });

  it('inside an AppImage the AppImage file is started, not the temporary mount', () => {
    expect(linuxLoginExec({ APPIMAGE: '/home/me/Lubdub.AppImage' }, '/tmp/.mount_LubduXYZ/lubdub')).toBe('/home/me/Lubdub.AppImage');
    expect(linuxLoginExec({}, '/opt/Lubdub/lubdub')).toBe('/opt/Lubdub/lubdub');
  });

  it('toggling writes and removes the autostart file', () => {
    const home = tempDir();
    const fake = createFakeElectron({ userData: tempDir() });
    const login = startAtLogin(fake.electron, { platform: 'linux', env: { APPIMAGE: '/apps/Lubdub.AppImage' }, execPath: '/tmp/.mount/lubdub', home });
    const file = path.join(home, '.config', 'autostart', 'lubdub.desktop');
    expect(login.isEnabled()).toBe(false);
    login.set(true);
    expect(login.isEnabled()).toBe(true);
    expect(fs.readFileSync(file, 'utf8')).toContain('Exec=/apps/Lubdub.AppImage --hidden\n');
    login.set(false);
    expect(fs.existsSync(file)).toBe(false);
    expect(login.isEnabled()).toBe(false);
  });
});

describe('macOS and Windows use Electron login items', () => {
  it('Windows registers with --hidden', () => {
    const fake = createFakeElectron({ userData: tempDir() });
    const login = startAtLogin(fake.electron, { platform: 'win32', env: {}, execPath: 'C:\\Lubdub\\Lubdub.exe' });
    login.set(true);
    expect(fake.app.loginItem).toEqual({ openAtLogin: true, args: ['--hidden'] });
    expect(login.isEnabled()).toBe(true);
  });
  it('macOS registers the app', () => {
    const fake = createFakeElectron({ userData: tempDir() });
    startAtLogin(fake.electron, { platform: 'darwin', env: {}, execPath: '/Applications/Lubdub.app' }).set(true);
    expect(fake.app.loginItem).toEqual({ openAtLogin: true, args: undefined });
  });
  it('a login start is recognised by --hidden', () => {
    const fake = createFakeElectron({ userData: tempDir() });
    expect(startedAtLogin(fake.electron, 'linux', ['/opt/lubdub', '--hidden'])).toBe(true);
    expect(startedAtLogin(fake.electron, 'linux', ['/opt/lubdub'])).toBe(false);
  });
});

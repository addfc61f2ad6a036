import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseServiceArgs, runServiceCommand, serviceUnit, unitWord, type ServiceHost } from '../../electron/service/systemd.js';
import { ROOT, tempDir } from '../helpers/serve.js';

/** The `lubdub` command as installed: package.json's bin, run by node. */
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string; bin: { lubdub: string } };
const BIN = path.join(ROOT, pkg.bin.lubdub);
const lubdub = (args: string[], env: NodeJS.ProcessEnv = {}) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });

const dirs: string[] = [];
const temp = () => {
  const d = tempDir('lubdub-unit-');
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** `systemd-analyze verify` answers 0 even for a line it ignores: any output is a finding. */
function verify(file: string, user = false): string {
  const rt = temp();
  fs.chmodSync(rt, 0o700);
  const r = spawnSync('systemd-analyze', [...(user ? ['--user'] : []), 'verify', file], { encoding: 'utf8', env: { ...process.env, XDG_RUNTIME_DIR: rt } });
  return `${r.status === 0 ? '' : `exit ${r.status}\n`}${r.stdout}${r.stderr}`.trim();
}

describe('lubdub', () => {
  it('--version prints the package version', () => {
    const r = lubdub(['--version']);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it('--help lists the subcommands', () => {
    const r = lubdub(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^\s+serve\s/m);
    expect(r.stdout).toMatch(/^\s+service\s/m);
  });

  it('serve --help lists every flag with its environment variable', () => {
    const r = lubdub(['serve', '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('--ping-port');
    expect(r.stdout).toContain('LUBDUB_PING_PORT');
  });

  it('an unknown command exits 2 and shows the help', () => {
    const r = lubdub(['frobnicate']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('unknown command "frobnicate"');
    expect(r.stderr).toMatch(/^\s+serve\s/m);
  });
});

describe('lubdub service install', () => {
  it('writes a system unit under --root that systemd-analyze verify accepts, and uninstall removes it', () => {
    const root = temp();
    const r = lubdub(['service', 'install', '--root', root]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const file = path.join(root, 'etc/systemd/system/lubdub.service');
    expect(r.stdout).toContain(`wrote ${file}`);
    expect(r.stdout).toContain('not enabled');
    const unit = fs.readFileSync(file, 'utf8');
    expect(unit).toContain(`ExecStart="${process.execPath}" "--max-semi-space-size=2" "--max-old-space-size=256" "${BIN}" "serve"`);
    expect(unit.split('\n')).toContain('Environment="MALLOC_ARENA_MAX=2"');
    for (const line of ['DynamicUser=yes', 'StateDirectory=lubdub', 'ReadWritePaths="/var/lib/lubdub"', 'NoNewPrivileges=yes', 'ProtectSystem=strict', 'PrivateTmp=yes', 'CapabilityBoundingSet=', 'Restart=on-failure']) {
      expect(unit.split('\n')).toContain(line);
    }
    expect(unit).toMatch(/^ProtectHome=(yes|read-only)$/m);
    expect(verify(file)).toBe('');

    const u = lubdub(['service', 'uninstall', '--root', root]);
    expect(u.status).toBe(0);
    expect(u.stdout).toContain(`removed ${file}`);
    expect(fs.existsSync(file)).toBe(false);
  });

  it('--user writes a user unit with its XDG data dir, which systemd-analyze --user verify accepts', () => {
    const root = temp();
    const home = temp();
    const env = { XDG_CONFIG_HOME: path.join(home, '.config'), XDG_DATA_HOME: path.join(home, '.local/share') };
    const r = lubdub(['service', 'install', '--user', '--root', root, '--', '--ping-port', '9420'], env);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const file = path.join(root, home, '.config/systemd/user/lubdub.service');
    const unit = fs.readFileSync(file, 'utf8');
    const dataDir = path.join(home, '.local/share/lubdub');
    expect(unit).toContain(`Environment="LUBDUB_DATA_DIR=${dataDir}"`);
    expect(unit).toContain(`ReadWritePaths="${dataDir}"`);
    expect(unit).toContain('"serve" "--ping-port" "9420"');
    expect(unit).toContain('WantedBy=default.target');
    expect(fs.statSync(path.join(root, dataDir)).mode & 0o777).toBe(0o700);
    expect(verify(file, true)).toBe('');
  });

  it('--print prints the unit and writes nothing', () => {
    const r = lubdub(['service', 'install', '--print']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^\[Service\]$/m);
    expect(r.stdout).toMatch(/^ExecStart=.*"serve"$/m);
  });

  it('refuses a data dir for a system unit, a newline in a flag and an unknown option, writing nothing', () => {
    const root = temp();
    const cases: [string[], RegExp][] = [
      [['service', 'install', '--root', root, '--', '--data-dir', '/srv/lubdub'], /system unit keeps its data in \/var\/lib\/lubdub/],
      [['service', 'install', '--root', root, '--', '--base-url', 'http://x\nExecStartPre=/bin/evil'], /control character/],
      [['service', 'install', '--root', root, '--bogus'], /unknown option "--bogus"/],
      [['service', 'restart'], /usage: lubdub service install\|uninstall/],
    ];
    for (const [args, msg] of cases) {
      const r = lubdub(args);
      expect(r.status, args.join(' ')).toBe(1);
      expect(r.stderr).toMatch(msg);
    }
    expect(fs.readdirSync(root)).toEqual([]);
  });
});

describe('the unit text', () => {
  it('doubles % and $ so systemd expands neither, and escapes quotes', () => {
    expect(unitWord('50%')).toBe('"50%%"');
    expect(unitWord('$HOME')).toBe('"$$HOME"');
    expect(unitWord('a"b\\c')).toBe('"a\\"b\\\\c"');
  });

  it('keeps /home readable when the program lives there', () => {
    const spec = { user: false, nodePath: '/usr/bin/node', dataDir: '', serveArgs: [] };
    expect(serviceUnit({ ...spec, cliPath: '/usr/lib/node_modules/lubdub/cli.js' })).toMatch(/^ProtectHome=yes$/m);
    expect(serviceUnit({ ...spec, cliPath: '/home/ann/.npm-global/lib/node_modules/lubdub/cli.js' })).toMatch(/^ProtectHome=read-only$/m);
  });

  it('where systemd runs, install reloads, enables and starts the unit, and uninstall undoes it', () => {
    const home = temp();
    const calls: string[] = [];
    const lines: string[] = [];
    const host: ServiceHost = {
      env: { XDG_CONFIG_HOME: path.join(home, 'config'), XDG_DATA_HOME: path.join(home, 'data') },
      isRoot: false,
      nodePath: '/usr/bin/node',
      cliPath: '/usr/lib/node_modules/lubdub/cli.js',
      systemdRunning: () => true,
      systemctl: (args) => {
        calls.push(args.join(' '));
        return { status: 0, output: '' };
      },
      log: (l) => lines.push(l),
    };
    runServiceCommand(parseServiceArgs(['install', '--user']), host);
    expect(calls).toEqual(['--user daemon-reload', '--user enable --now lubdub.service']);
    expect(fs.existsSync(path.join(home, 'config/systemd/user/lubdub.service'))).toBe(true);
    calls.length = 0;
    runServiceCommand(parseServiceArgs(['uninstall', '--user']), host);
    expect(calls).toEqual(['--user disable --now lubdub.service', '--user daemon-reload']);
    expect(fs.existsSync(path.join(home, 'config/systemd/user/lubdub.service'))).toBe(false);
    expect(lines.at(-1)).toBe(`kept the data in ${path.join(home, 'data/lubdub')}`);
  });

  it('a system unit on the real system needs root', () => {
    const host = { env: {}, isRoot: false, nodePath: '/usr/bin/node', cliPath: '/x/cli.js', systemdRunning: () => true, systemctl: () => ({ status: 0, output: '' }), log: () => {} };
    expect(() => runServiceCommand(parseServiceArgs(['install']), host)).toThrow(/needs root/);
  });
});

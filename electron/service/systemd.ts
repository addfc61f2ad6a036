import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { systemdArg } from '../../shared/security/quote.js';
import { defaultDataDir } from './config.js';
import { SERVICE_ENV, SERVICE_NODE_FLAGS } from './node-flags.js';

/** The unit's file name, for the system and the user manager alike. */
export const UNIT_NAME = 'lubdub.service';
/** Where a system unit keeps its data (systemd's StateDirectory=lubdub). */
export const SYSTEM_DATA_DIR = '/var/lib/lubdub';

/** A refused `lubdub service` call: the CLI prints the message and exits 1. */
export class ServiceCommandError extends Error {}

/** What a unit runs and where it keeps its data. */
export interface UnitSpec {
  /** a user unit (`systemctl --user`) instead of a system one */
  user: boolean;
  /** the absolute node binary that runs the command */
  nodePath: string;
  /** the absolute path of the installed `lubdub` command's script */
  cliPath: string;
  /** the data dir; a system unit always uses SYSTEM_DATA_DIR */
  dataDir: string;
  /** extra `lubdub serve` flags */
  serveArgs: string[];
}

/**
 * One ExecStart= word, quoted as the console's snippets quote one (`systemdArg`). A newline
 * would end the line and start a directive of the caller's choosing: on the command line
 * control characters are refused outright rather than folded into spaces.
 */
export function unitWord(w: string): string {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(w)) throw new ServiceCommandError(`a control character cannot go into a systemd unit: ${JSON.stringify(w)}`);
  return systemdArg(w);
}

const underHome = (p: string) => /^\/(home|root)(\/|$)/.test(p);

/**
 * The unit text. The service needs nothing but its data dir and the network, so it gets
 * nothing else: a read-only system, no home, no devices, no capabilities, no way to gain
 * privileges; a system unit runs as a throwaway user that owns only /var/lib/lubdub.
 */
export function serviceUnit(s: UnitSpec): string {
  const dataDir = s.user ? s.dataDir : SYSTEM_DATA_DIR;
  // The program itself may live under /home (an npm prefix there): it must stay readable.
  const protectHome = s.user || underHome(s.cliPath) || underHome(s.nodePath) ? 'read-only' : 'yes';
  // node is named explicitly (not through the script's #!): systemd's PATH need not hold it
  // (nvm, /opt), and the flags keep V8's heap small (RSS right after a load, docs/performance.md).
  const exec = [s.nodePath, ...SERVICE_NODE_FLAGS, s.cliPath, 'serve', ...s.serveArgs].map(unitWord).join(' ');
  const lines = [
    '[Unit]',
    'Description=Lubdub heartbeat monitor',
    ...(s.user ? [] : ['After=network-online.target', 'Wants=network-online.target']),
    '',
    '[Service]',
    'Type=simple',
    `ExecStart=${exec}`,
    `Environment=${unitWord(`LUBDUB_DATA_DIR=${dataDir}`)}`,
    ...Object.entries(SERVICE_ENV).map(([k, v]) => `Environment=${unitWord(`${k}=${v}`)}`),
    ...(s.user
      ? []
      : [
          // No desktop session reaches a system service: alerts go to webhook/ntfy channels.
          'Environment=LUBDUB_DESKTOP_NOTIFIER=false',
          'DynamicUser=yes',
          'StateDirectory=lubdub',
          'StateDirectoryMode=0700',
        ]),
    'UMask=0077',
    'Restart=on-failure',
    'RestartSec=5',
    'NoNewPrivileges=yes',
    'ProtectSystem=strict',
    `ProtectHome=${protectHome}`,
    'PrivateTmp=yes',
    'PrivateDevices=yes',
    `ReadWritePaths=${unitWord(dataDir)}`,
    'CapabilityBoundingSet=',
    'AmbientCapabilities=',
    'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX',
    'RestrictNamespaces=yes',
    'RestrictRealtime=yes',
    'LockPersonality=yes',
    'ProtectKernelTunables=yes',
    'ProtectKernelModules=yes',
    'ProtectControlGroups=yes',
    'SystemCallArchitectures=native',
    // MemoryDenyWriteExecute= is left out on purpose: V8's JIT needs writable code pages.
    '',
    '[Install]',
    `WantedBy=${s.user ? 'default.target' : 'multi-user.target'}`,
    '',
  ];
  return lines.join('\n');
}

/** Where the unit file goes under `root` ('/' for the real system). */
export function unitPath(user: boolean, root: string, env: NodeJS.ProcessEnv = process.env): string {
  const base = user ? path.join(env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config'), 'systemd', 'user') : '/etc/systemd/system';
  return path.join(root, base, UNIT_NAME);
}

/** Options of `lubdub service install|uninstall`. */
export interface ServiceCommand {
  action: 'install' | 'uninstall';
  user: boolean;
  print: boolean;
  root: string;
  serveArgs: string[];
}

/** Parses `lubdub service …` arguments; flags after `--` belong to `lubdub serve`. */
export function parseServiceArgs(argv: string[]): ServiceCommand {
  const [action, ...rest] = argv;
  if (action !== 'install' && action !== 'uninstall') throw new ServiceCommandError('usage: lubdub service install|uninstall [--user] [--print] [--root DIR] [-- serve flags]');
  const cmd: ServiceCommand = { action, user: false, print: false, root: '/', serveArgs: [] };
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (a === '--') {
      cmd.serveArgs = rest.slice(i + 1);
      break;
    }
    if (a === '--user') cmd.user = true;
    else if (a === '--print' && action === 'install') cmd.print = true;
    else if (a === '--root' || a.startsWith('--root=')) {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : rest[++i];
      if (!v) throw new ServiceCommandError('--root needs a directory');
      cmd.root = path.resolve(v);
    } else throw new ServiceCommandError(`unknown option "${a}" for lubdub service ${action} (serve flags go after --)`);
  }
  return cmd;
}

/** How the command touches the machine; tests pass a recorder instead of systemctl. */
export interface ServiceHost {
  env: NodeJS.ProcessEnv;
  isRoot: boolean;
  nodePath: string;
  cliPath: string;
  /** true when systemd is the running init (it manages units here) */
  systemdRunning: () => boolean;
  systemctl: (args: string[]) => { status: number; output: string };
  log: (line: string) => void;
}

/** The real machine. */
export function realServiceHost(cliPath: string): ServiceHost {
  return {
    env: process.env,
    isRoot: process.getuid?.() === 0,
    nodePath: process.execPath,
    cliPath,
    systemdRunning: () => fs.existsSync('/run/systemd/system'),
    systemctl: (args) => {
      const r = spawnSync('systemctl', args, { encoding: 'utf8' });
      return { status: r.status ?? 1, output: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? r.error.message : ''}`.trim() };
    },
    log: (line) => console.log(line),
  };
}

function dataDirFrom(serveArgs: string[], fallback: string): string {
  const i = serveArgs.findIndex((a) => a === '--data-dir' || a.startsWith('--data-dir='));
  if (i < 0) return fallback;
  const v = serveArgs[i].includes('=') ? serveArgs[i].slice(serveArgs[i].indexOf('=') + 1) : serveArgs[i + 1];
  if (!v || !path.isAbsolute(v)) throw new ServiceCommandError('--data-dir in a unit must be an absolute path');
  return v;
}

/** `lubdub service install|uninstall`: writes or removes the unit and tells systemd. */
export function runServiceCommand(cmd: ServiceCommand, host: ServiceHost): void {
  if (/\.ts$/.test(host.cliPath)) throw new ServiceCommandError('run the built command (npm run build, then node dist-electron/electron/service/cli.js service …): a unit cannot run TypeScript sources');
  if (!cmd.user && cmd.serveArgs.some((a) => a === '--data-dir' || a.startsWith('--data-dir='))) {
    throw new ServiceCommandError(`a system unit keeps its data in ${SYSTEM_DATA_DIR} (its own user owns only that); use --user for another data dir`);
  }
  const spec: UnitSpec = {
    user: cmd.user,
    nodePath: host.nodePath,
    cliPath: host.cliPath,
    dataDir: cmd.user ? dataDirFrom(cmd.serveArgs, defaultDataDir(host.env, 'linux')) : SYSTEM_DATA_DIR,
    serveArgs: cmd.serveArgs.filter((a, i, all) => !(a === '--data-dir' || a.startsWith('--data-dir=') || (i > 0 && all[i - 1] === '--data-dir'))),
  };
  const unit = serviceUnit(spec);
  if (cmd.print) {
    host.log(unit.trimEnd());
    return;
  }
  const real = cmd.root === '/';
  if (real && !cmd.user && !host.isRoot) throw new ServiceCommandError('a system unit needs root: run it with sudo, or use --user for a unit of your own');
  const file = unitPath(cmd.user, cmd.root, host.env);
  const ctl = cmd.user ? ['--user'] : [];
  const manage = real && host.systemdRunning();
  const run = (args: string[], mustWork: boolean) => {
    const r = host.systemctl([...ctl, ...args]);
    host.log(`  systemctl ${[...ctl, ...args].join(' ')}: ${r.status === 0 ? 'done' : `failed (${r.output || `exit ${r.status}`})`}`);
    if (mustWork && r.status !== 0) throw new ServiceCommandError(`systemctl ${[...ctl, ...args].join(' ')} failed`);
  };

  if (cmd.action === 'uninstall') {
    if (manage) run(['disable', '--now', UNIT_NAME], false);
    if (fs.existsSync(file)) {
      fs.rmSync(file);
      host.log(`removed ${file}`);
    } else host.log(`no unit at ${file}`);
    if (manage) run(['daemon-reload'], false);
    host.log(`kept the data in ${spec.dataDir}`);
    return;
  }

  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, unit, { mode: 0o644 });
  host.log(`wrote ${file}`);
  if (cmd.user) {
    // ReadWritePaths= needs the folder to exist before the sandbox is set up.
    const dir = path.join(cmd.root, spec.dataDir);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    host.log(`data dir ${dir}`);
  } else host.log(`data dir ${SYSTEM_DATA_DIR} (made by systemd for the unit's own user)`);
  if (manage) {
    run(['daemon-reload'], true);
    run(['enable', '--now', UNIT_NAME], true);
    host.log(`running: see it with systemctl ${[...ctl, 'status', UNIT_NAME].join(' ')}; the login URL is in journalctl ${cmd.user ? '--user ' : ''}-u lubdub`);
  } else {
    host.log(real ? 'systemd is not running here: the unit is written but not enabled' : `not enabled: the unit was written under ${cmd.root}`);
    host.log(`enable it with: systemctl ${[...ctl, 'enable', '--now', UNIT_NAME].join(' ')}`);
  }
}

#!/usr/bin/env -S MALLOC_ARENA_MAX=2 node --max-semi-space-size=2 --max-old-space-size=256
import { systemClock } from './clock.js';
import { ConfigError, loadConfig, usage } from './config.js';
import { StoreError } from './db/open.js';
import { defaultFeatures } from './features.js';
import { packageVersion } from './package-info.js';
import { MoveError } from './integrations/move.js';
import { MOVE_USAGE, runExport, runImport } from './integrations/move-cli.js';
import { StartError, startService } from './service.js';
import { parseServiceArgs, realServiceHost, runServiceCommand, ServiceCommandError } from './systemd.js';

/** One `lubdub` subcommand. */
interface Command {
  summary: string;
  run: (argv: string[]) => Promise<void> | void;
}

/** `lubdub serve`: the headless service. Prints its listeners and a one-time login URL. */
async function serve(argv: string[]): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(usage());
    return;
  }
  const config = loadConfig(argv);
  const svc = await startService(config, systemClock, defaultFeatures());
  console.log(`Lubdub ${packageVersion()} (data: ${config.dataDir})`);
  console.log(`  ping receiver: ${svc.pingListenUrl}  (ping URLs: ${svc.runtime.urls.ping}/ping/<uuid>)`);
  console.log(`  console + API: ${svc.uiUrl}`);
  console.log(`  log in once:   ${svc.loginUrl()}`);
  let stopping = false;
  const stop = (sig: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`lubdub: ${sig}, stopping`);
    svc.stop().then(
      () => process.exit(0),
      (e) => {
        console.error(`lubdub: error while stopping: ${(e as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

/** The subcommands; a new one is a new row. */
const COMMANDS: Record<string, Command> = {
  serve: { summary: 'run the ping receiver, scheduler, alerts and console (flags: lubdub serve --help)', run: serve },
  service: {
    summary: 'install|uninstall a systemd unit that runs `lubdub serve` [--user] [--print] [--root DIR] [-- serve flags]',
    run: (argv) => runServiceCommand(parseServiceArgs(argv), realServiceHost(import.meta.filename)),
  },
  import: { summary: MOVE_USAGE.import, run: (argv) => runImport(argv, systemClock) },
  export: { summary: MOVE_USAGE.export, run: (argv) => runExport(argv, systemClock) },
};

function help(): string {
  return [
    `Lubdub ${packageVersion()}: a heartbeat monitor for cron jobs, backups and scripts.`,
    '',
    'Usage: lubdub <command> [options]',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(9)} ${c.summary}`),
    '',
    '  --version  print the version',
    '  --help     this text',
  ].join('\n');
}

async function main(argv: string[]): Promise<void> {
  const [first, ...rest] = argv;
  if (first === '--version' || first === '-v') return void console.log(packageVersion());
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') return void console.log(help());
  const cmd = Object.hasOwn(COMMANDS, first) ? COMMANDS[first] : undefined;
  if (!cmd) {
    console.error(`lubdub: unknown command "${first}"\n\n${help()}`);
    process.exit(2);
  }
  await cmd.run(rest);
}

main(process.argv.slice(2)).catch((e) => {
  if (e instanceof ConfigError || e instanceof MoveError || e instanceof StoreError || e instanceof StartError || e instanceof ServiceCommandError) {
    console.error(`lubdub: ${e.message}`);
  } else {
    console.error(`lubdub: ${(e as Error).stack ?? e}`);
  }
  process.exit(1);
});

import { systemClock } from './clock.js';
import { ConfigError, loadConfig, usage } from './config.js';
import { StoreError } from './db/open.js';
import { defaultFeatures } from './features.js';
import { StartError, startService, VERSION } from './service.js';

/** `npm run serve`: the headless service. Prints its listeners and a one-time login URL. */
async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(usage());
    return;
  }
  const config = loadConfig(argv);
  const svc = await startService(config, systemClock, defaultFeatures());
  console.log(`Lubdub ${VERSION} (data: ${config.dataDir})`);
  console.log(`  ping receiver: ${svc.pingListenUrl}  (ping URLs: ${svc.monitor.urls.ping}/ping/<uuid>)`);
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

main().catch((e) => {
  if (e instanceof ConfigError || e instanceof StoreError || e instanceof StartError) {
    console.error(`lubdub: ${e.message}`);
  } else {
    console.error(`lubdub: ${(e as Error).stack ?? e}`);
  }
  process.exit(1);
});

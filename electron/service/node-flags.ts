/**
 * The V8 flags the service's node runs with: a small young generation, and an old-generation
 * cap from which V8 sizes its growth, so the garbage of a load is collected instead of kept
 * (RSS right after a load ~85 MB instead of ~115 MB, docs/performance.md; the live heap
 * stays far below the cap). Used by the systemd unit, the Electron shell and the bench;
 * `npm run serve` (package.json) and the `lubdub` script's `#!` line cannot import them, so
 * test/unit/node-flags.test.ts holds them to this list.
 */
export const SERVICE_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=2', '--max-old-space-size=256'];

/**
 * The environment the service's node starts with: at most two glibc malloc arenas instead of
 * one per thread that allocates (eight per core), a few MB less resident, idle and after a load
 * (docs/performance.md "Memory"). glibc reads it when the process starts, so a process cannot
 * set it for itself: whatever starts the service sets it (the systemd unit, the Electron shell;
 * `npm run serve` and the `lubdub` script's `#!` line repeat it, held to this by
 * test/unit/node-flags.test.ts).
 */
export const SERVICE_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '2' };

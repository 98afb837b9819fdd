/**
 * V8's settings for the daemon process (`toyrrent daemon`), chosen by the
 * process for itself before it loads libp2p. A daemon is mostly idle and
 * long-lived; at V8's defaults its young generation grows to 2 × 16 MiB
 * semi-spaces during start-up (module loading allocates fast and much of it
 * survives) and keeps them, about 30 MiB of a ~85 MiB idle daemon.
 * `--optimize-for-size` keeps the young generation at its initial 1 MiB and
 * the old generation's growth tighter; a 1 GiB add/cat costs the same CPU
 * (files-memory-run: 1.0 s user for 256 MiB either way).
 *
 * `--semi-space-growth-factor=1`: `--optimize-for-size` alone still lets
 * the young generation grow while much of it survives, which a large add
 * does (blocks in flight): the daemon's new space reached 8–12.8 MiB during
 * a 1 GiB POST, with up to 30 MiB of ArrayBuffers behind it, and ran 97
 * mark-compacts. Growth factor 1 keeps it at its initial size (~2 MiB
 * committed); the semi-space maximum itself (`--max-semi-space-size`) can
 * only be set at start-up, the growth factor is read at every resize. Same
 * POST: 47 mark-compacts, GC 4.3 s instead of 7.7 s, RssAnon growth 45.6
 * MiB instead of 65.6 (README, Files → Memory).
 *
 * Only for our own process: the embeddable service (src/service) never
 * touches the host application's flags. TOYRRENT_V8_DEFAULTS=1 keeps V8's
 * defaults (to compare, or when NODE_OPTIONS already chooses).
 */

export const DAEMON_V8_FLAGS = ['--optimize-for-size', '--semi-space-growth-factor=1']

/** Apply DAEMON_V8_FLAGS to this process, unless TOYRRENT_V8_DEFAULTS=1. Returns the flags applied. */
export function tuneDaemonV8 (env: NodeJS.ProcessEnv = process.env): string[] {
  if (env.TOYRRENT_V8_DEFAULTS === '1') return []
  // not `import from 'node:v8'`: the CLI keeps built-ins' ESM facades out of its start-up
  const v8 = process.getBuiltinModule('node:v8')
  for (const flag of DAEMON_V8_FLAGS) v8.setFlagsFromString(flag)
  return DAEMON_V8_FLAGS
}

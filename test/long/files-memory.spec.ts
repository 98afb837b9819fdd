/**
 * Memory stays bounded whatever the file size: a 1 GiB file imported
 * (importer + write-behind store window) and read back (the ordered fetch
 * window) while peak resident memory is sampled, each run in a process of
 * its own (test/helpers/files-memory-run.ts) so V8's flags can be chosen.
 *
 * Why two runs. At V8's defaults the add grows about 66–76 MiB, of which
 * the files layer holds a few MiB: V8's young generation grows its
 * semi-spaces to 16 MiB (the committed heap goes from ~15 to ~40 MiB while
 * the live heap stays under 20), and the 64 KiB buffers a store copies are
 * freed only when the young generation is next scavenged (up to ~40 MiB of
 * such garbage at the peak). With 2 MiB semi-spaces both go, and what is
 * left is what the files layer and the runtime really hold: about 33 MiB.
 * So the first run checks the files layer's bound tightly; the second checks
 * the defaults, where the issue's 64 MiB target is not met by this measure.
 * The third runs with the flags the daemon process gives itself
 * (src/daemon/v8-flags.ts: `--optimize-for-size`, young generation kept at
 * 1 MiB): what a `toyrrent daemon` user's files layer costs. 1 GiB in two
 * runs: add 22.2–26.1 MiB, cat 4.2–10.5 MiB; guard 40 MiB for both (1.5× the
 * worst add).
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { DAEMON_V8_FLAGS } from '../../src/daemon/v8-flags.ts'
import { describePost, measureDaemonPost } from '../../scripts/lib/daemon-post-memory.ts'

const RUN = fileURLToPath(new URL('../helpers/files-memory-run.js', import.meta.url))

interface Peak { growthMiB: number, heapTotalMiB: number, arrayBuffersMiB: number }
interface Run { add: Peak, cat: Peak, read: number, size: number, distinctBlocks: number }

async function run (v8Flags: string[], env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  return await new Promise((resolve, reject) => {
    execFile(process.execPath, [...v8Flags, RUN, '1024'], { timeout: 540_000, maxBuffer: 1024 * 1024, env }, (err, stdout, stderr) => {
      if (err != null) reject(new Error(`${err.message}\n${stderr}`))
      else resolve(JSON.parse(stdout.trim().split('\n').pop() as string) as Run)
    })
  })
}

function show (label: string, p: Peak): string {
  return `      ${label}: peak RSS growth ${p.growthMiB} MiB (committed heap ${p.heapTotalMiB} MiB, ArrayBuffers ${p.arrayBuffersMiB} MiB at the peak)`
}

describe('long: files memory is bounded for a 1 GiB file', function () {
  this.timeout(1_200_000)

  // glibc's malloc arenas are the other half of the noise: the threads that free the 64 KiB buffers keep
  // their freed memory in arenas of their own, so the same build's add grew 36–52 MiB from run to run
  // (2026-12-01, `node --max-semi-space-size=2 dist/test/helpers/files-memory-run.js 1024`, seven runs;
  // stop 24's build 42–52 in three) and passed this bound or not by chance; with MALLOC_ARENA_MAX=1, one
  // arena, 32.7–37.6 in four runs and 42.4 in the suite: still near the bound, but no longer 52. The daemon sets no glibc tunable
  // (README, Files → Memory); the daemon-flags run below is measured as a daemon runs.
  it('with 2 MiB semi-spaces and one malloc arena (what the files layer holds): add grows < 48 MiB, cat < 48 MiB', async () => {
    const r = await run(['--max-semi-space-size=2'], { ...process.env, MALLOC_ARENA_MAX: '1' })
    console.log(show('add 1 GiB, 2 MiB semi-spaces', r.add))
    console.log(show('cat 1 GiB, 2 MiB semi-spaces', r.cat))
    assert.equal(r.read, r.size)
    assert.ok(r.add.growthMiB < 48, `add grew ${r.add.growthMiB} MiB`)
    assert.ok(r.cat.growthMiB < 48, `cat grew ${r.cat.growthMiB} MiB`)
  })

  // At V8's defaults RSS growth measures V8's heap sizing more than the files layer: the committed
  // heap alone reaches 73–75 MiB in every run, and identical runs of one build spread widely
  // (2026-11-30, `node dist/test/helpers/files-memory-run.js 1024` four times each: main before
  // FETCH_MANY add 75–109, cat 31–64 MiB; after, cat 30–96 MiB; CI saw cat 101.7 once). So this run
  // guards against a leak (growth proportional to the file would pass 1 GiB), and the tight bounds
  // are the 2 MiB semi-space run's and the daemon flags' run's.
  it('at V8 defaults: add and cat stay far below the file size (< 160 MiB; target 64 MiB: not met here, see above)', async () => {
    const r = await run([])
    console.log(show('add 1 GiB, V8 defaults', r.add))
    console.log(show('cat 1 GiB, V8 defaults', r.cat))
    assert.equal(r.read, r.size)
    assert.ok(r.add.growthMiB < 160, `add grew ${r.add.growthMiB} MiB`)
    assert.ok(r.cat.growthMiB < 160, `cat grew ${r.cat.growthMiB} MiB`)
  })

  it('with the daemon\'s own V8 flags (what a daemon user gets): add and cat grow < 40 MiB', async () => {
    const r = await run(DAEMON_V8_FLAGS)
    console.log(show(`add 1 GiB, ${DAEMON_V8_FLAGS.join(' ')}`, r.add))
    console.log(show(`cat 1 GiB, ${DAEMON_V8_FLAGS.join(' ')}`, r.cat))
    assert.equal(r.read, r.size)
    assert.ok(r.add.growthMiB < 40, `add grew ${r.add.growthMiB} MiB`)
    assert.ok(r.cat.growthMiB < 40, `cat grew ${r.cat.growthMiB} MiB`)
  })
})

/**
 * A whole daemon (`toyrrent daemon --replicas 1`, its HTTP API, LevelDB)
 * taking `head -c 1024M /dev/urandom | curl -X POST -T - API/v1/files`,
 * peak growth sampled every 0.2 s from /proc/PID/status
 * (scripts/lib/daemon-post-memory.ts). RssAnon grew 92–98.9 MiB in three
 * runs while the add kept each block's CID as a base32 string (a rope of ~47
 * cons pieces, ~1.5 KiB) in its sets, 67.2–67.5 MiB in two runs with flat
 * keys: the bound, 84 MiB (1.25× the worst), fails on the old code. VmRSS adds LevelDB's mapped
 * tables (RssFile 46–63 MiB at the peaks, see the README, Files → Memory),
 * so the 64 MiB of VmRSS is NOT met (104–115.2 MiB; 119–143.6 before);
 * VmRSS < 160 MiB is only a regression guard. With the packed item index
 * (src/store/packed-index.ts, 2026-11-30, load 12–24): RssAnon 59.1–75.1,
 * VmRSS 101.7–124.8 MiB in four runs (mapped tables 42–61 MiB at the peaks),
 * main in the same hour 74.1 / 111.6 — the index was ~5 MiB of a spread of
 * ~15, so the bounds stay. Under that load a POST took 222–373 s: before the
 * API server turned off Node's 300 s whole-request timeout, the slower ones
 * were reset (curl 56).
 * With the value log (src/store/value-log.ts: bodies out of LevelDB, read
 * and written with pread/pwrite, never mapped; 2026-11-30, load ~8–10):
 * VmRSS 68.6–83.7, RssAnon 67.2–83.5, RssFile 0.2–1.5 MiB in seven runs,
 * main in the same hour 101.9–126.8 / 62.8–70.8 / 43.9–71.3. So RssFile
 * < 16 MiB (fails with bodies in LevelDB) and VmRSS < 96 MiB (1.15× the
 * worst; fails on main's 101.9–124.8); 64 MiB of VmRSS is still not met.
 * RssAnon rises with the POST's speed (37–42 s: 81.3–83.5 MiB, 76 s: 73.3).
 * Then (2026-11-30, postmem, load 7–9 on 2 cores) what was left was found and
 * cut: every block put's deadline (AbortSignal.any over AbortSignal.timeout,
 * which Node keeps for the whole 30 s timeout, ~1.5 KiB each: src/signals.ts),
 * the daemon's young generation growing to 8–12.8 MiB (now kept at its
 * initial size: src/daemon/v8-flags.ts), and the add's per-block hex strings
 * in Sets and Maps (now typed arrays: src/files/key-table.ts). Growth of
 * VmRSS 32.6–50.5 MiB in ten runs (three with the value log's coalesced
 * writes), RssAnon 32.5–50.4 (before: 56.1–83.7; main in the same hour
 * 74.5–75.9; 65.6 with the deadlines alone). So the 64 MiB is the
 * VmRSS bound (1.27× the worst run), RssAnon < 60; either fails on the code
 * before.
 */
describe('long: a daemon taking a 1 GiB POST /v1/files', function () {
  this.timeout(1_200_000)

  it('grows VmRSS < 64 MiB (the issue\'s target), RssAnon < 60 MiB and RssFile < 16 MiB', async () => {
    const m = await measureDaemonPost({ mib: 1024 })
    for (const line of describePost(m)) console.log(`      ${line}`)
    const reply = JSON.parse(m.reply) as { size: number, blocks: number }
    assert.equal(reply.size, 1024 * 1024 * 1024)
    assert.ok(m.growth.anon < 60, `RssAnon grew ${m.growth.anon} MiB`)
    assert.ok(m.growth.file < 16, `RssFile grew ${m.growth.file} MiB (LevelDB's mapped tables? item bodies belong in the value log)`)
    assert.ok(m.growth.rss < 64, `VmRSS grew ${m.growth.rss} MiB`)
  })
})

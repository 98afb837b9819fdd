/**
 * A short seeded chaos run (scripts/chaos.ts): 7 real daemons, 6 clients for
 * 60 s of hash puts/gets, single-writer publishes, racing CAS writers and
 * resolves while the nemesis kills, pauses, stops and joins nodes (one at a
 * time). The run's own checker must find no violation; its summary is
 * printed either way. The long run is `npm run chaos -- --seconds 180 --seed S`.
 */
import { expect } from 'chai'
import { spawn } from 'node:child_process'
import { rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ChildProcess } from 'node:child_process'

const CHAOS = fileURLToPath(new URL('../../scripts/chaos.js', import.meta.url))
const HISTORY = join(tmpdir(), `toyrrent-chaos-seed7-${process.pid}.jsonl`)
const ARGS = ['--seconds', '60', '--seed', '7', '--nodes', '7', '--clients', '6', '--history', HISTORY]

describe('chaos: 60 s seeded run against 7 daemons (seed 7)', function () {
  this.timeout(600_000)
  let child: ChildProcess | undefined

  after(() => {
    // the script kills its daemons and removes its temp dir on SIGTERM
    if (child != null && child.exitCode == null && child.signalCode == null) child.kill('SIGTERM')
  })

  it('finds no violation in the history', async () => {
    child = spawn(process.execPath, [CHAOS, ...ARGS], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout?.on('data', (chunk: Buffer) => { stdout += chunk.toString('utf8') })
    child.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString('utf8') })
    const code = await new Promise<number | null>(resolve => child?.once('close', resolve))
    expect(code, `chaos ${ARGS.join(' ')} did not produce a summary (exit ${code})\n${stderr.slice(-4000)}`).to.be.oneOf([0, 1])
    const summary = JSON.parse(stdout)
    console.log(`      ${JSON.stringify({ operations: summary.operations, faults: summary.faults, heal: summary.heal, violations: summary.violations })}`)
    const found = (summary.examples as Array<{ check: string, message: string }>).map(v => `${v.check}: ${v.message}`)
    expect(summary.violations, `history in ${HISTORY}; violations by check: ${JSON.stringify(Object.fromEntries(Object.entries(summary.checks as Record<string, { violations: number }>).filter(([, c]) => c.violations > 0).map(([k, c]) => [k, c.violations])))}\n${found.join('\n')}`).to.equal(0)
    expect(code).to.equal(0)
    await rm(HISTORY, { force: true }) // kept only when the run found something
    // the run did what it says: every kind of operation and fault happened
    for (const kind of ['put', 'get', 'publish', 'cas', 'resolve']) expect(summary.operations[kind]?.ok ?? 0, kind).to.be.greaterThan(0)
    expect(summary.faults.kill + summary.faults.pause + summary.faults.stop).to.be.greaterThan(0)
  })
})

/**
 * The nemesis: one fault at a time, chosen by a seeded PRNG, so never more
 * than one node (= R − W with R = 3, W = 2) is down or paused at once:
 *
 * - kill:  SIGKILL, down for 2–8 s, restart on the same data dir;
 * - pause: SIGSTOP, SIGCONT after 2–10 s;
 * - stop:  SIGTERM (graceful leave with handoff), down for 1–5 s, restart;
 * - join:  a new node joins (at most `maxJoins` in a run).
 *
 * Between two faults the network gets 1–4 s (at least one repair interval
 * or so) to settle. `stop()` ends the current fault at once (resume or
 * restart) and returns when every node is up again.
 */
import { rng } from '../stats.ts'
import type { ChaosNode } from './daemons.ts'
import type { FaultKind, Recorder } from './history.ts'

export interface NemesisOptions {
  seed: number
  maxJoins: number
  /** Start a new node (registered with the cluster) bootstrapped from live ones. */
  join: () => Promise<ChaosNode>
  /** Restart a node that is down, bootstrapped from live ones. */
  restart: (node: ChaosNode) => Promise<void>
  log: (line: string) => void
}

export class Nemesis {
  readonly counts: Record<FaultKind, number> = { kill: 0, pause: 0, stop: 0, join: 0 }
  private readonly recorder: Recorder
  private readonly nodes: () => ChaosNode[]
  private readonly options: NemesisOptions
  private readonly abort = new AbortController()
  private running?: Promise<void>

  constructor (recorder: Recorder, nodes: () => ChaosNode[], options: NemesisOptions) {
    this.recorder = recorder
    this.nodes = nodes
    this.options = options
  }

  start (): void {
    this.running = this.loop()
  }

  /** Stop injecting, heal the current fault; rejects if the loop failed (a node would not restart). */
  async stop (): Promise<void> {
    this.abort.abort()
    await this.running
  }

  private async sleep (ms: number): Promise<void> {
    if (this.abort.signal.aborted) return
    await new Promise<void>(resolve => {
      const timer = setTimeout(done, ms)
      function done (): void { clearTimeout(timer); resolve() }
      this.abort.signal.addEventListener('abort', done, { once: true })
    })
  }

  private async loop (): Promise<void> {
    const random = rng(this.options.seed * 7 + 3)
    const between = (lo: number, hi: number): number => Math.round((lo + random() * (hi - lo)) * 1000)
    while (!this.abort.signal.aborted) {
      await this.sleep(between(1, 4))
      if (this.abort.signal.aborted) break
      const up = this.nodes().filter(n => n.state === 'up')
      // one fault at a time, and only when every node is up
      if (up.length !== this.nodes().length) continue
      const roll = random()
      const kind: FaultKind = roll < 0.3 ? 'kill' : roll < 0.6 ? 'pause' : roll < 0.85 || this.counts.join >= this.options.maxJoins ? 'stop' : 'join'
      const victim = up[Math.floor(random() * up.length)]
      if (kind === 'join') {
        const fault = this.recorder.fault('join', `n${this.nodes().length}`)
        const node = await this.options.join()
        fault.node = node.name
        this.recorder.healed(fault)
        this.counts.join++
        this.options.log(`nemesis: ${node.name} joined`)
        continue
      }
      const fault = this.recorder.fault(kind, victim.name)
      this.counts[kind]++
      if (kind === 'pause') {
        victim.pause()
        this.options.log(`nemesis: paused ${victim.name}`)
        await this.sleep(between(2, 10))
        victim.resume()
      } else {
        if (kind === 'kill') await victim.kill()
        else await victim.stop()
        this.options.log(`nemesis: ${kind === 'kill' ? 'killed' : 'stopped'} ${victim.name}`)
        await this.sleep(kind === 'kill' ? between(2, 8) : between(1, 5))
        await this.options.restart(victim)
      }
      this.recorder.healed(fault)
      this.options.log(`nemesis: ${victim.name} back up`)
    }
  }
}

/**
 * The history of a chaos run: one entry per operation a client (or the final
 * phase) sent to a daemon, with when it was invoked and when it completed
 * (milliseconds since the run started, from one monotonic clock), the node it
 * went through, and its outcome:
 *
 * - `ok`: acknowledged (2xx);
 * - `fail`: definitely did not happen (a final refusal such as 409
 *   `cas-mismatch` / `stale-seq`, a 4xx about the request, nothing listening);
 *   for reads, `not-found` and any other error answer;
 * - `unknown`: may or may not have taken effect (504 `outcome-unknown`,
 *   `timeout`, 503 `insufficient-peers` on a write, a client-side timeout, a
 *   connection broken mid-request).
 *
 * Plus the faults the nemesis injected. Pure data: the checker reads it and
 * the runner writes it as JSON lines with `--history FILE`.
 */

export type OpKind = 'put' | 'get' | 'publish' | 'cas' | 'resolve' | 'holders'
export type Outcome = 'ok' | 'fail' | 'unknown'
export type Phase = 'run' | 'final'

export interface Op {
  index: number
  /** `c0`, `c1`, ... or `final`. */
  client: string
  kind: OpKind
  /** Name of the node the request went to (`n3`). */
  node: string
  phase: Phase
  /** Invoked at, ms since the start of the run. */
  start: number
  /** Completed at (absent while in flight). */
  end?: number
  outcome?: Outcome
  /** The error code of a fail/unknown (`cas-mismatch`, `client-timeout`, ...). */
  error?: string
  /** put/get/holders: the hash key, 64 hex. */
  key?: string
  /** put: the value written (hex). get: the value read (hex), when ok. */
  value?: string
  /** publish/cas/resolve: the publish id, 64 hex. */
  id?: string
  /** publish/cas: the seq written (decimal). */
  seq?: string
  /** cas: the expected seq (decimal). */
  cas?: string
  /** publish/cas: the value written (text, unique per operation). */
  text?: string
  /** resolve, when ok: the seq and value (text) read. */
  read?: { seq: string, text: string }
  /** holders, when ok: how many of the replica set hold the key, and its size. */
  holders?: { holding: number, replicas: number }
}

export type FaultKind = 'kill' | 'pause' | 'stop' | 'join'

export interface Fault {
  kind: FaultKind
  node: string
  /** When the fault began (signal sent / node started). */
  start: number
  /** When it was healed (node back up or resumed); for join, when the node was up. */
  end?: number
}

export interface History {
  ops: Op[]
  faults: Fault[]
}

/** Records operations as they are invoked and completed. */
export class Recorder {
  readonly ops: Op[] = []
  readonly faults: Fault[] = []
  private readonly t0: number

  constructor (t0 = performance.now()) {
    this.t0 = t0
  }

  now (): number {
    return Math.round((performance.now() - this.t0) * 1000) / 1000
  }

  invoke (fields: Omit<Op, 'index' | 'start'>): Op {
    const op: Op = { index: this.ops.length, start: this.now(), ...fields }
    this.ops.push(op)
    return op
  }

  complete (op: Op, outcome: Outcome, fields: Partial<Op> = {}): Op {
    Object.assign(op, fields)
    op.end = this.now()
    op.outcome = outcome
    return op
  }

  fault (kind: FaultKind, node: string): Fault {
    const fault: Fault = { kind, node, start: this.now() }
    this.faults.push(fault)
    return fault
  }

  healed (fault: Fault): void {
    fault.end = this.now()
  }

  history (): History {
    return { ops: this.ops, faults: this.faults }
  }
}

/** Latency summaries and small helpers shared by the bench and the sim. */

export interface LatencySummary {
  count: number
  mean: number
  p50: number
  p95: number
  p99: number
  max: number
}

/** Nearest-rank percentile of an ascending array. */
export function percentile (sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]
}

export function summarise (samples: number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b)
  const mean = sorted.reduce((s, x) => s + x, 0) / Math.max(1, sorted.length)
  return {
    count: sorted.length,
    mean: round(mean),
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted[sorted.length - 1] ?? NaN)
  }
}

export function round (x: number, digits = 3): number {
  if (!Number.isFinite(x)) return x
  const f = 10 ** digits
  return Math.round(x * f) / f
}

export function mib (bytes: number): number {
  return round(bytes / 1024 / 1024, 2)
}

/** Deterministic PRNG (mulberry32) so runs pick the same nodes for the same seed. */
export { seededRandom as rng } from '../../src/testing/seeded-random.ts'

export function randomInt (random: () => number, n: number): number {
  return Math.floor(random() * n)
}

/** A random index other than `not` (when n > 1). */
export function randomOther (random: () => number, n: number, not: number): number {
  if (n < 2) return 0
  const i = randomInt(random, n - 1)
  return i >= not ? i + 1 : i
}

export function equalBytes (a: Uint8Array | undefined, b: Uint8Array): boolean {
  if (a == null || a.byteLength !== b.byteLength) return false
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength))
}

export function toHex (bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')
}

/** Force a full GC when node runs with --expose-gc; a no-op otherwise. */
export async function settleGc (): Promise<void> {
  const gc = (globalThis as any).gc as (() => void) | undefined
  for (let i = 0; i < 3; i++) {
    gc?.()
    await new Promise(resolve => setTimeout(resolve, 20))
  }
}

/** Race a promise against a deadline (the promise keeps running; its result is dropped). */
export async function withTimeout<T> (promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  try {
    return await Promise.race([promise, new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => { reject(new Error(`${what} took longer than ${ms} ms`)) }, ms)
    })])
  } finally {
    clearTimeout(timer)
  }
}

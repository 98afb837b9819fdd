/**
 * The blocks adds in progress on a node are storing, counted per block.
 * An add that fails unpins the blocks it pinned that were not pinned before
 * any add claimed them; a block another add in progress still claims is
 * left pinned (the last add to let go decides), and so is one a finished
 * add's pin record names (Pins.abandon checks the records). A claim made
 * while such an unpin is under way waits for it, so the store that follows
 * the claim pins the block again. One set per node (its LocalPins), shared
 * by every Files over that node.
 */
import { hexKey } from '../bytes.ts'
import type { LocalPins } from '../service/types.ts'

interface Claim {
  /** Adds holding the block. */
  count: number
  /** Was it pinned (a put, an older pin) when the first of them claimed it? Then no add may unpin it. */
  wasPinned: boolean
}

export class AddClaims {
  private readonly local: LocalPins
  private readonly claims = new Map<string, Claim>()
  private readonly unpinning = new Map<string, Promise<unknown>>()

  constructor (local: LocalPins) {
    this.local = local
  }

  /** An add is about to store `key`; call once per add and block, before the store. */
  async claim (key: Uint8Array): Promise<void> {
    const k = hexKey(key)
    // a failed add is unpinning it now: our store must come after, or its unpin would undo our pin
    // (its failure is the failed add's to ignore: our store pins the block whatever became of the unpin)
    while (this.unpinning.has(k)) await this.unpinning.get(k)?.catch(() => {})
    const claim = this.claims.get(k)
    if (claim != null) claim.count++
    else this.claims.set(k, { count: 1, wasPinned: this.local.isPinned(key) })
  }

  /** A finished add lets go of its blocks (after its pin record is written). */
  release (keys: Iterable<Uint8Array>): void {
    for (const key of keys) this.drop(hexKey(key))
  }

  /**
   * A failed add lets go of its blocks: those no add claims any more and
   * that were not pinned before adds claimed them, minus `kept` (hex keys a
   * pin record names), are unpinned. Returns how many were.
   */
  async releaseFailed (keys: Iterable<Uint8Array>, kept: (candidates: Uint8Array[]) => Promise<Set<string>>): Promise<number> {
    const candidates: Uint8Array[] = []
    for (const key of keys) {
      const claim = this.drop(hexKey(key))
      if (claim != null && claim.count === 0 && !claim.wasPinned) candidates.push(key)
    }
    if (candidates.length === 0) return 0
    const keep = await kept(candidates)
    let unpinned = 0
    for (const key of candidates) {
      const k = hexKey(key)
      // claimed again while the records were read: the new add's store pins it, leave it
      if (keep.has(k) || this.claims.has(k)) continue
      const running = this.local.unpin(key).then(done => { if (done) unpinned++ }).finally(() => { this.unpinning.delete(k) })
      this.unpinning.set(k, running)
      await running.catch(() => {})
    }
    return unpinned
  }

  /** Adds holding `key` (0 when none). */
  holders (key: Uint8Array): number {
    return this.claims.get(hexKey(key))?.count ?? 0
  }

  private drop (k: string): Claim | undefined {
    const claim = this.claims.get(k)
    if (claim == null) return undefined
    claim.count--
    if (claim.count <= 0) this.claims.delete(k)
    return claim
  }
}

const perNode = new WeakMap<LocalPins, AddClaims>()

/** The claims of the node whose pins these are. */
export function claimsOf (local: LocalPins): AddClaims {
  let claims = perNode.get(local)
  if (claims == null) perNode.set(local, claims = new AddClaims(local))
  return claims
}

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
import { KeyTable } from './key-table.ts'
import type { LocalPins } from '../service/types.ts'

interface Claim {
  /** Adds holding the block. */
  count: number
  /** Was it pinned (a put, an older pin) when the first of them claimed it? Then no add may unpin it. */
  wasPinned: boolean
}

/** A claim as one number in the key table: count × 2 + wasPinned. */
const packed = (claim: Claim): number => claim.count * 2 + (claim.wasPinned ? 1 : 0)
const unpacked = (value: number): Claim => ({ count: value >>> 1, wasPinned: (value & 1) === 1 })

export class AddClaims {
  private readonly local: LocalPins
  /** Per block claimed (typed arrays, not a Map entry per block: key-table.ts). */
  private readonly claims = new KeyTable()
  private readonly unpinning = new Map<string, Promise<unknown>>()

  constructor (local: LocalPins) {
    this.local = local
  }

  /** An add is about to store `key`; call once per add and block, before the store. */
  async claim (key: Uint8Array): Promise<void> {
    // a failed add is unpinning it now: our store must come after, or its unpin would undo our pin
    // (its failure is the failed add's to ignore: our store pins the block whatever became of the unpin)
    if (this.unpinning.size > 0) {
      const k = hexKey(key)
      while (this.unpinning.has(k)) await this.unpinning.get(k)?.catch(() => {})
    }
    const held = this.claims.get(key)
    if (held != null) this.claims.set(key, held + 2)
    else this.claims.set(key, packed({ count: 1, wasPinned: this.local.isPinned(key) }))
  }

  /** A finished add lets go of its blocks (after its pin record is written). */
  release (keys: Iterable<Uint8Array>): void {
    for (const key of keys) this.drop(key)
  }

  /**
   * A failed add lets go of its blocks: those no add claims any more and
   * that were not pinned before adds claimed them, minus `kept` (hex keys a
   * pin record names), are unpinned. Returns how many were.
   */
  async releaseFailed (keys: Iterable<Uint8Array>, kept: (candidates: Uint8Array[]) => Promise<Set<string>>): Promise<number> {
    const candidates: Uint8Array[] = []
    for (const key of keys) {
      const claim = this.drop(key)
      if (claim != null && claim.count === 0 && !claim.wasPinned) candidates.push(key)
    }
    if (candidates.length === 0) return 0
    const keep = await kept(candidates)
    let unpinned = 0
    for (const key of candidates) {
      const k = hexKey(key)
      // claimed again while the records were read: the new add's store pins it, leave it
      if (keep.has(k) || this.claims.has(key)) continue
      const running = this.local.unpin(key).then(done => { if (done) unpinned++ }).finally(() => { this.unpinning.delete(k) })
      this.unpinning.set(k, running)
      await running.catch(() => {})
    }
    return unpinned
  }

  /** Adds holding `key` (0 when none). */
  holders (key: Uint8Array): number {
    const held = this.claims.get(key)
    return held == null ? 0 : unpacked(held).count
  }

  private drop (key: Uint8Array): Claim | undefined {
    const held = this.claims.get(key)
    if (held == null) return undefined
    const claim = unpacked(held)
    claim.count--
    if (claim.count <= 0) this.claims.delete(key)
    else this.claims.set(key, packed(claim))
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

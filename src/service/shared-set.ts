/**
 * The set two neighbours compare in anti-entropy: the live items a node holds
 * for which both it and the other peer are among the R nearest. When both
 * hold everything they are responsible for and see the same neighbourhood,
 * both sides build the same set, and one 16-byte digest says so.
 */
import { BucketedDigest } from '../store/digest.ts'
import { worthPassingOn } from '../store/item-store.ts'
import type { ItemMeta } from '../store/item-store.ts'
import type { Assignment } from './placement.ts'

/** Our shared items with one peer. */
export function sharedItems (assignments: Assignment[], selfKey: string, peerKey: string, now = Date.now()): ItemMeta[] {
  const out: ItemMeta[] = []
  for (const { meta, replicaSet } of assignments) {
    if (worthPassingOn(meta, now) && replicaSet.includes(selfKey) && replicaSet.includes(peerKey)) out.push(meta)
  }
  return out
}

/** Our shared set with one peer, digested. */
export function sharedDigest (items: ItemMeta[]): BucketedDigest {
  const digest = new BucketedDigest()
  for (const meta of items) digest.add(meta.key, meta.seq)
  return digest
}

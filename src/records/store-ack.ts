/**
 * Store acknowledgements (protocols/rpc.md, "Store acknowledgements"): a
 * replica's signature, with its libp2p key, saying "I keep this item",
 * bound to the nonce of one write so it cannot be replayed for another.
 * A forwarded put (service/forwarded-put.ts) carries them back through a
 * peer the origin does not trust: the origin checks each one against the
 * public key inside the signer's peer id, so a forwarder can withhold
 * acknowledgements but not make them up.
 *
 * Signed bytes, 109 in all:
 *   "toyrrent-store-ack/1" (20 ASCII bytes) || nonce (16) || kind (1: 0 hash,
 *   1 publish, 2 routing) || key (32) || SHA-256(item body) (32) || seq (8, big-endian; 0 for hash items)
 */
import { sha256 } from '../keyspace.ts'
import { verifyEd25519 } from './ed25519-verify.ts'
import { decodePublishRecord } from './publish-record.ts'
import type { ItemKind } from './item.ts'
import type { PeerId, PrivateKey } from '@libp2p/interface'

export const STORE_ACK_DOMAIN = new TextEncoder().encode('toyrrent-store-ack/1')
export const ACK_NONCE_BYTES = 16
export const STORE_ACK_BYTES = STORE_ACK_DOMAIN.byteLength + ACK_NONCE_BYTES + 1 + 32 + 32 + 8
/** Longer than any signature of a key type a peer id can carry inline (Ed25519 64, secp256k1 DER ≤ 72): refused unread. */
export const MAX_ACK_SIGNATURE_BYTES = 128

const KIND_BYTES: Record<ItemKind, number> = { hash: 0, publish: 1, routing: 2 }

/** What an acknowledgement says was stored. */
export interface AckedItem {
  kind: ItemKind
  /** 32 bytes. */
  key: Uint8Array
  body: Uint8Array
  /** Publish items: the seq held; 0 for hash items. */
  seq: bigint
}

/** What an acknowledgement of `item` says was stored: a publish record at its own seq (a replica signs the seq it holds, which is this one when it kept it). */
export function ackedItem (item: { kind: ItemKind, key: Uint8Array, body: Uint8Array }): AckedItem {
  return { kind: item.kind, key: item.key, body: item.body, seq: item.kind === 'publish' ? decodePublishRecord(item.body).seq : 0n }
}

/** The bytes a replica signs for `item` under `nonce` (see the file comment). */
export function storeAckMessage (nonce: Uint8Array, item: AckedItem): Uint8Array {
  if (nonce.byteLength !== ACK_NONCE_BYTES) throw new RangeError(`an ack nonce is ${ACK_NONCE_BYTES} bytes, not ${nonce.byteLength}`)
  if (item.key.byteLength !== 32) throw new RangeError(`an item key is 32 bytes, not ${item.key.byteLength}`)
  const out = new Uint8Array(STORE_ACK_BYTES)
  let at = 0
  out.set(STORE_ACK_DOMAIN, at); at += STORE_ACK_DOMAIN.byteLength
  out.set(nonce, at); at += ACK_NONCE_BYTES
  out[at++] = KIND_BYTES[item.kind]
  out.set(item.key, at); at += 32
  out.set(sha256(item.body), at); at += 32
  new DataView(out.buffer).setBigUint64(at, BigInt.asUintN(64, item.seq))
  return out
}

/** Sign an acknowledgement of `item` for the write `nonce` with this node's key. */
export async function signStoreAck (key: PrivateKey, nonce: Uint8Array, item: AckedItem): Promise<Uint8Array> {
  return await key.sign(storeAckMessage(nonce, item))
}

/**
 * Does `signature` acknowledge `item` for the write `nonce`, signed by the
 * key of `signer`? False (never a throw) for a peer id without an inline
 * public key (RSA ids are hashes: their acks never count), a malformed or
 * oversized signature, or another item, nonce or signer.
 */
export async function verifyStoreAck (signer: PeerId, nonce: Uint8Array, item: AckedItem, signature: Uint8Array): Promise<boolean> {
  if (signature.byteLength === 0 || signature.byteLength > MAX_ACK_SIGNATURE_BYTES) return false
  const publicKey = signer.publicKey
  if (publicKey == null) return false
  try {
    const message = storeAckMessage(nonce, item)
    // Ed25519 through the cached key objects (a put checks W of them)
    if (publicKey.type === 'Ed25519') return signature.byteLength === 64 && verifyEd25519(publicKey.raw, message, signature)
    return await publicKey.verify(message, signature)
  } catch {
    return false
  }
}

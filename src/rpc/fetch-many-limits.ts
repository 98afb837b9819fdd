/**
 * The bounds of FETCH_MANY (protocols/rpc.md, "FETCH_MANY"): how many keys
 * one request may name, how many body bytes one answer may carry, and so the
 * largest answer frame a client must accept for it.
 */
import { FRAME_OVERHEAD_BYTES, MAX_VALUE_BYTES } from '../constants.ts'

/** Keys one FETCH_MANY request may name; more is BAD_REQUEST. */
export const MAX_FETCH_MANY_KEYS = 16

/** Item bodies one FETCH_MANY answer carries at most: 16 full 64 KiB blocks. */
export const MAX_FETCH_MANY_BODY_BYTES = MAX_FETCH_MANY_KEYS * MAX_VALUE_BYTES

/**
 * The largest frame a FETCH_MANY answer can be: the bodies, plus each item's
 * kind, key and lifetime and the keys listed as missing or omitted, all well
 * inside the overhead every frame is allowed.
 */
export const MAX_FETCH_MANY_ANSWER_BYTES = MAX_FETCH_MANY_BODY_BYTES + FRAME_OVERHEAD_BYTES

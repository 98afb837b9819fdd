/**
 * Typed errors. Tests and callers match on `name`; `code` is the stable string
 * the HTTP API and CLI report, and the key of its entry in src/refusals.ts
 * (HTTP status, exit code, final or retryable).
 */
export class ToyrrentError extends Error {
  static override name = 'ToyrrentError'
  override name = 'ToyrrentError'
  /** `internal` unless a subclass says otherwise (`error` is a peer's internal failure, as it answered on the wire). */
  code: string = 'internal'
}

/** The input was malformed: a bad key, a bad multiaddr, a missing argument. */
export class InvalidInputError extends ToyrrentError {
  static override name = 'InvalidInputError'
  override name = 'InvalidInputError'
  override code = 'bad-input'
}

/** A value, salt or message exceeded a size limit. The message names the limit. */
export class TooLargeError extends ToyrrentError {
  static override name = 'TooLargeError'
  override name = 'TooLargeError'
  override code = 'too-large'
}

/** The network was searched and nobody holds the key. */
export class NotFoundError extends ToyrrentError {
  static override name = 'NotFoundError'
  override name = 'NotFoundError'
  override code = 'not-found'
}

/**
 * Not enough nodes answered to give a trustworthy result: distinct from
 * not-found, which means enough nodes answered and none had it.
 */
export class InsufficientPeersError extends ToyrrentError {
  static override name = 'InsufficientPeersError'
  override name = 'InsufficientPeersError'
  override code = 'insufficient-peers'
}

/** A key of the other kind: a publish id given to get, or a hash item key given to resolve. */
export class WrongKindError extends ToyrrentError {
  static override name = 'WrongKindError'
  override name = 'WrongKindError'
  override code = 'wrong-kind'
}

/** A write that may or may not have taken effect: read before retrying (HTTP 504, exit 3). */
export class OutcomeUnknownError extends ToyrrentError {
  static override name = 'OutcomeUnknownError'
  override name = 'OutcomeUnknownError'
  override code = 'outcome-unknown'
}

/** A remote peer answered with a typed refusal (stale-seq, bad-signature...). */
export class RemoteRejectedError extends ToyrrentError {
  static override name = 'RemoteRejectedError'
  override name = 'RemoteRejectedError'
  constructor (message: string, code: string) {
    super(message)
    this.code = code
  }
}

/** A remote peer broke the protocol: wrong frame, wrong id, wrong bytes. */
export class ProtocolError extends ToyrrentError {
  static override name = 'ProtocolError'
  override name = 'ProtocolError'
  override code = 'protocol-error'
}

/** The operation ran out of time. */
export class TimeoutError extends ToyrrentError {
  static override name = 'TimeoutError'
  override name = 'TimeoutError'
  override code = 'timeout'
}

/** Why a publish record was refused, as the store reports it. */
export type PublishRejectReason = 'bad-request' | 'too-large' | 'id-mismatch' | 'bad-signature' | 'stale-seq' | 'cas-mismatch'

/** A publish record failed decoding, verification or the replace rules; `code` is the reason. */
export class PublishRejectedError extends ToyrrentError {
  static override name = 'PublishRejectedError'
  override name = 'PublishRejectedError'
  override code: PublishRejectReason
  constructor (reason: PublishRejectReason, message: string) {
    super(message)
    this.code = reason
  }
}

/** A routing record its namespace's validator refused (bad signature, expired, too large...). */
export class InvalidRecordError extends ToyrrentError {
  static override name = 'InvalidRecordError'
  override name = 'InvalidRecordError'
  override code = 'invalid-record'
}

/** A routing key whose namespace has no validator here: toyrrent stores only records it can check. */
export class UnknownNamespaceError extends ToyrrentError {
  static override name = 'UnknownNamespaceError'
  override name = 'UnknownNamespaceError'
  override code = 'unknown-namespace'
}

/** A request that needs a direct connection (protocols/rpc.md, "Limited connections"), to a peer we reach only through a relay. */
export class DirectConnectionNeededError extends ToyrrentError {
  static override name = 'DirectConnectionNeededError'
  override name = 'DirectConnectionNeededError'
  override code = 'insufficient-peers'
}

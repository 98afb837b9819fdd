/** A signal that aborts when `signal` does or after `timeoutMs`, whichever comes first. */
export function timeoutSignal (signal: AbortSignal | undefined, timeoutMs: number): AbortSignal {
  const timeout = AbortSignal.timeout(timeoutMs)
  return signal == null ? timeout : AbortSignal.any([signal, timeout])
}

/** A signal that aborts when any of `signals` does or after `timeoutMs`: one AbortSignal.any, not one per signal. */
export function deadlineSignal (signals: Array<AbortSignal | undefined>, timeoutMs: number): AbortSignal {
  return AbortSignal.any([...signals.filter(s => s != null), AbortSignal.timeout(timeoutMs)])
}

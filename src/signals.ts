/** A signal that aborts when `signal` does or after `timeoutMs`, whichever comes first. */
export function timeoutSignal (signal: AbortSignal | undefined, timeoutMs: number): AbortSignal {
  const timeout = AbortSignal.timeout(timeoutMs)
  return signal == null ? timeout : AbortSignal.any([signal, timeout])
}

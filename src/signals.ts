/**
 * A signal that aborts when any of `signals` does or after `timeoutMs`,
 * whichever comes first: one AbortSignal.any at most, none when there is
 * nothing but the deadline.
 */
export function deadlineSignal (signals: Array<AbortSignal | undefined>, timeoutMs: number): AbortSignal {
  const timeout = AbortSignal.timeout(timeoutMs)
  const others = signals.filter(s => s != null)
  return others.length === 0 ? timeout : AbortSignal.any([...others, timeout])
}

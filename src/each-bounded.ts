/**
 * A fixed number of workers taking items in order from one list: at most
 * `concurrency` calls of `work` run at once, and no new item is taken once
 * `signal` aborts. `work` handles its own failures (a rejection ends the
 * whole run). Resolves with how many items were taken.
 */
export async function eachBounded<T> (items: readonly T[], concurrency: number, signal: AbortSignal, work: (item: T) => Promise<void>): Promise<number> {
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length && !signal.aborted) await work(items[next++])
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker))
  return next
}

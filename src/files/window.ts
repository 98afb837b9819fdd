/**
 * The fetch window: run an async step over a stream with at most `window`
 * steps in flight, yielding results in input order. Memory is `window`
 * results at most; a consumer that stops early (or a failed step) aborts
 * the steps still running.
 */
export async function * inOrder<T, R> (source: AsyncIterable<T> | Iterable<T>, window: number, step: (item: T, signal: AbortSignal) => Promise<R>, signal?: AbortSignal): AsyncGenerator<R> {
  const stop = new AbortController()
  const stepSignal = signal == null ? stop.signal : AbortSignal.any([signal, stop.signal])
  const inFlight: Array<Promise<R>> = []
  const iterator = (Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : source[Symbol.iterator]()) as AsyncIterator<T> | Iterator<T>
  let exhausted = false
  try {
    while (true) {
      while (!exhausted && inFlight.length < Math.max(1, window)) {
        const next = await iterator.next()
        if (next.done === true) {
          exhausted = true
          break
        }
        const running = step(next.value, stepSignal)
        running.catch(() => {}) // awaited in order below; an early failure must not go unhandled meanwhile
        inFlight.push(running)
      }
      const head = inFlight.shift()
      if (head == null) return
      yield await head
    }
  } finally {
    stop.abort()
    if (!exhausted) await iterator.return?.()
  }
}

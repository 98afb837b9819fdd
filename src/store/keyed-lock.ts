/**
 * Serialises async work per key, so a read-check-write on one item (seq
 * checks, compare-and-swap, counters) never interleaves with another on the
 * same item. Work on different keys runs in parallel.
 */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<unknown>>()

  async run<T> (key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve()
    const current = previous.then(work, work)
    const tail = current.catch(() => {})
    this.tails.set(key, tail)
    try {
      return await current
    } finally {
      if (this.tails.get(key) === tail) this.tails.delete(key)
    }
  }
}

/**
 * A V8 heap snapshot summarised: self size by constructor (objects) or by
 * node type (strings, code, arrays, native), per node of the network.
 */
import { heapGroups } from './heap-diff.ts'
import { mib, round } from './stats.ts'

export async function summariseHeapSnapshot (file: string, nodes: number, top = 25): Promise<Record<string, unknown>> {
  const groups = await heapGroups(file)
  const total = [...groups.values()].reduce((sum, g) => sum + g.bytes, 0)
  const rows = [...groups].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, top).map(([name, g]) => ({
    name,
    MiB: mib(g.bytes),
    pct: round(g.bytes / total * 100, 1),
    perNodeKiB: round(g.bytes / 1024 / nodes, 1),
    countPerNode: round(g.count / nodes, 0)
  }))
  return { heapMiB: mib(total), perNodeHeapKiB: round(total / 1024 / nodes, 1), top: rows }
}

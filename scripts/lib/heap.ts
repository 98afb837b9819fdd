/**
 * A V8 heap snapshot summarised: self size by constructor (objects) or by
 * node type (strings, code, arrays, native), per node of the network.
 */
import { readFile } from 'node:fs/promises'
import { mib, round } from './stats.ts'

export async function summariseHeapSnapshot (file: string, nodes: number, top = 25): Promise<Record<string, unknown>> {
  const snap = JSON.parse(await readFile(file, 'utf8'))
  const fields: string[] = snap.snapshot.meta.node_fields
  const types: string[] = snap.snapshot.meta.node_types[0]
  const width = fields.length
  const iType = fields.indexOf('type')
  const iName = fields.indexOf('name')
  const iSize = fields.indexOf('self_size')
  const strings: string[] = snap.strings
  const data: number[] = snap.nodes
  const groups = new Map<string, { bytes: number, count: number }>()
  let total = 0
  for (let i = 0; i < data.length; i += width) {
    const type = types[data[i + iType]]
    const size = data[i + iSize]
    total += size
    const label = type === 'object' || type === 'closure' || type === 'native'
      ? `${type}:${strings[data[i + iName]]}`
      : type === 'array' ? `array:${strings[data[i + iName]]}` : type
    const g = groups.get(label) ?? { bytes: 0, count: 0 }
    g.bytes += size
    g.count++
    groups.set(label, g)
  }
  const rows = [...groups].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, top).map(([name, g]) => ({
    name,
    MiB: mib(g.bytes),
    pct: round(g.bytes / total * 100, 1),
    perNodeKiB: round(g.bytes / 1024 / nodes, 1),
    countPerNode: round(g.count / nodes, 0)
  }))
  return { heapMiB: mib(total), perNodeHeapKiB: round(total / 1024 / nodes, 1), top: rows }
}

/**
 * Two V8 heap snapshots set against each other: self size and object count
 * by constructor (objects, closures, native) or node type (strings, code,
 * arrays), the labels that grew most first. What a daemon's JS heap keeps
 * per block after a large POST (scripts/lib/daemon-post-memory.ts).
 */
import { readFile } from 'node:fs/promises'

export type HeapGroups = Map<string, { bytes: number, count: number }>

/** Self bytes and count per label of one snapshot file. */
export async function heapGroups (file: string): Promise<HeapGroups> {
  const snap = JSON.parse(await readFile(file, 'utf8'))
  const fields: string[] = snap.snapshot.meta.node_fields
  const types: string[] = snap.snapshot.meta.node_types[0]
  const width = fields.length
  const iType = fields.indexOf('type')
  const iName = fields.indexOf('name')
  const iSize = fields.indexOf('self_size')
  const strings: string[] = snap.strings
  const data: number[] = snap.nodes
  const groups: HeapGroups = new Map()
  for (let i = 0; i < data.length; i += width) {
    const type = types[data[i + iType]]
    const label = type === 'object' || type === 'closure' || type === 'native' || type === 'array' ? `${type}:${strings[data[i + iName]]}` : type
    const g = groups.get(label) ?? { bytes: 0, count: 0 }
    g.bytes += data[i + iSize]
    g.count++
    groups.set(label, g)
  }
  return groups
}

/** The `top` labels that grew most from `before` to `after`: "MiB (+count)". */
export function heapGrowth (before: HeapGroups, after: HeapGroups, top = 15): Record<string, string> {
  const rows: Array<[string, number, number]> = []
  for (const [label, g] of after) {
    const b = before.get(label) ?? { bytes: 0, count: 0 }
    rows.push([label, g.bytes - b.bytes, g.count - b.count])
  }
  rows.push(['(total)', [...after.values()].reduce((s, g) => s + g.bytes, 0) - [...before.values()].reduce((s, g) => s + g.bytes, 0), 0])
  return Object.fromEntries(rows.sort((a, b) => b[1] - a[1]).slice(0, top).map(([label, bytes, count]) => [label, `${(bytes / 1048576).toFixed(2)} MiB (${count >= 0 ? '+' : ''}${count})`]))
}

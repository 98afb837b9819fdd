/**
 * Summarise a V8 .cpuprofile (node --cpu-prof, or bench --cpu-prof-dir):
 * the top functions by self time, and self time by package / source file.
 *
 *   node dist/scripts/cpuprofile-top.js FILE.cpuprofile [--top 25] [--json]
 */
import { readFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'

interface CallFrame { functionName: string, url: string, lineNumber: number, columnNumber: number }
interface ProfileNode { id: number, callFrame: CallFrame, children?: number[] }
interface Profile { nodes: ProfileNode[], samples: number[], timeDeltas: number[], startTime: number, endTime: number }

export interface Row { name: string, where: string, selfMs: number, selfPct: number, totalMs?: number }

/** Where a script URL belongs: `pkg@scope/name`, `toyrrent:src/...`, `node:...`, or a V8 pseudo-frame. */
export function owner (url: string): string {
  if (url === '') return '(v8/native)'
  if (url.startsWith('node:')) return url
  const nm = url.lastIndexOf('/node_modules/')
  if (nm >= 0) {
    const parts = url.slice(nm + '/node_modules/'.length).split('/')
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]
  }
  const dist = url.indexOf('/dist/')
  if (dist >= 0) return 'toyrrent:' + url.slice(dist + '/dist/'.length)
  return url
}

function shortUrl (url: string): string {
  const nm = url.lastIndexOf('/node_modules/')
  if (nm >= 0) return url.slice(nm + '/node_modules/'.length)
  const dist = url.indexOf('/dist/')
  if (dist >= 0) return url.slice(dist + 1)
  return url
}

export function summariseProfile (profile: Profile, top = 25): { totalMs: number, functions: Row[], owners: Row[], categories: Record<string, number>, toyrrentInclusive: Row[] } {
  const byId = new Map(profile.nodes.map(n => [n.id, n]))
  const parent = new Map<number, number>()
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  // samples taken inside the inspector (Profiler.stop serialising the profile) are the profiler's own cost: left out
  const inInspector = (id: number): boolean => {
    for (let cur: number | undefined = id; cur != null; cur = parent.get(cur)) if (byId.get(cur)!.callFrame.url === 'node:inspector') return true
    return false
  }
  const self = new Map<number, number>()
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i] ?? 0
    self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + dt)
  }
  for (const id of [...self.keys()]) if (inInspector(id)) self.delete(id)
  // inclusive time per function (counted once per stack, so recursion is not double counted)
  const keyOf = (f: CallFrame): string => `${f.functionName}|${f.url}|${f.lineNumber}`
  const total = new Map<string, number>()
  for (const [id, us] of self) {
    const seen = new Set<string>()
    for (let cur: number | undefined = id; cur != null; cur = parent.get(cur)) {
      const k = keyOf(byId.get(cur)!.callFrame)
      if (!seen.has(k)) { seen.add(k); total.set(k, (total.get(k) ?? 0) + us) }
    }
  }
  let totalUs = 0
  const fn = new Map<string, Row>()
  const own = new Map<string, Row>()
  for (const [id, us] of self) {
    totalUs += us
    const f = byId.get(id)!.callFrame
    const k = keyOf(f)
    const name = f.functionName === '' ? '(anonymous)' : f.functionName
    const row = fn.get(k) ?? { name, where: f.url === '' ? '' : `${shortUrl(f.url)}:${f.lineNumber + 1}`, selfMs: 0, selfPct: 0, totalMs: (total.get(k) ?? 0) / 1000 }
    row.selfMs += us / 1000
    fn.set(k, row)
    const o = f.url === '' ? `(${name.replace(/[()]/g, '')})` : owner(f.url)
    const orow = own.get(o) ?? { name: o, where: '', selfMs: 0, selfPct: 0 }
    orow.selfMs += us / 1000
    own.set(o, orow)
  }
  const totalMs = totalUs / 1000
  const finish = (rows: Row[]): Row[] => rows.sort((a, b) => b.selfMs - a.selfMs).slice(0, top).map(r => ({
    ...r,
    selfMs: Math.round(r.selfMs * 10) / 10,
    selfPct: Math.round((r.selfMs / totalMs) * 1000) / 10,
    ...(r.totalMs != null ? { totalMs: Math.round(r.totalMs * 10) / 10 } : {})
  }))
  const cat = (pred: (r: Row) => boolean): number => Math.round([...own.values()].filter(pred).reduce((s, r) => s + r.selfMs, 0) / totalMs * 1000) / 10
  const categories = {
    idlePct: cat(r => r.name === '(idle)'),
    gcPct: cat(r => r.name === '(garbage collector)'),
    programPct: cat(r => r.name === '(program)'),
    toyrrentPct: cat(r => r.name.startsWith('toyrrent:')),
    nodeCorePct: cat(r => r.name.startsWith('node:')),
    dependenciesPct: cat(r => !r.name.startsWith('(') && !r.name.startsWith('toyrrent:') && !r.name.startsWith('node:'))
  }
  // toyrrent's own functions by inclusive time: which of our code paths the time sits under
  const ours: Row[] = []
  for (const [k, us] of total) {
    const [name, url, line] = k.split('|')
    if (owner(url).startsWith('toyrrent:src/')) ours.push({ name: name === '' ? '(anonymous)' : name, where: `${shortUrl(url)}:${Number(line) + 1}`, selfMs: fn.get(k)?.selfMs ?? 0, selfPct: 0, totalMs: us / 1000 })
  }
  const toyrrentInclusive = ours.sort((a, b) => (b.totalMs ?? 0) - (a.totalMs ?? 0)).slice(0, 15).map(r => ({
    ...r, selfMs: Math.round(r.selfMs * 10) / 10, totalMs: Math.round((r.totalMs ?? 0) * 10) / 10, selfPct: Math.round(((r.totalMs ?? 0) / totalMs) * 1000) / 10
  }))
  return { totalMs, functions: finish([...fn.values()]), owners: finish([...own.values()]), categories, toyrrentInclusive }
}

async function main (): Promise<void> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '25' }, json: { type: 'boolean', default: false } } })
  if (positionals.length === 0) {
    process.stderr.write('usage: node dist/scripts/cpuprofile-top.js FILE.cpuprofile... [--top 25] [--json]\n')
    process.exit(1)
  }
  for (const file of positionals) {
    const profile = JSON.parse(await readFile(file, 'utf8')) as Profile
    const s = summariseProfile(profile, Number(values.top))
    if (values.json) {
      process.stdout.write(JSON.stringify({ file, ...s }, null, 2) + '\n')
      continue
    }
    const busy = s.totalMs * (1 - s.categories.idlePct / 100)
    process.stdout.write(`\n${file}: ${s.totalMs.toFixed(0)} ms sampled, ${busy.toFixed(0)} ms busy; ${JSON.stringify(s.categories)}\n`)
    process.stdout.write(`\n  self ms   self%  total ms  function  (file:line)\n`)
    for (const r of s.functions) {
      process.stdout.write(`  ${r.selfMs.toFixed(1).padStart(7)}  ${r.selfPct.toFixed(1).padStart(5)}%  ${(r.totalMs ?? 0).toFixed(1).padStart(8)}  ${r.name}  ${r.where}\n`)
    }
    process.stdout.write(`\n  self time by package / file:\n`)
    for (const r of s.owners.slice(0, 15)) {
      process.stdout.write(`  ${r.selfMs.toFixed(1).padStart(7)}  ${r.selfPct.toFixed(1).padStart(5)}%  ${r.name}\n`)
    }
    process.stdout.write(`\n  toyrrent functions by inclusive time (total ms, % of sampled):\n`)
    for (const r of s.toyrrentInclusive.slice(0, 12)) {
      process.stdout.write(`  ${(r.totalMs ?? 0).toFixed(1).padStart(7)}  ${r.selfPct.toFixed(1).padStart(5)}%  ${r.name}  ${r.where}\n`)
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main()

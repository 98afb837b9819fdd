// The toyrrent dashboard: polls the daemon's own API every 2 s (the same
// numbers as `toyrrent stats`, `toyrrent peers` and /metrics) and draws them.
// The request charts come from the daemon's own 15-minute memory of the
// /metrics counters (GET /v1/stats/history, a sample every 2 s), so they
// show the minutes before the page was opened too.
import { drawBands, drawSeries } from './charts.js'

const POLL_MS = 2000
const $ = id => document.getElementById(id)
/** Cumulative counter samples from /v1/stats/history, oldest first, in the daemon's clock. */
let samples = []
let spanMs = 15 * 60 * 1000
/** The page's clock minus the daemon's, so points line up with "now" on the page. */
let clockOffset = 0
let bandOfPeer = new Map()

async function api (path, init) {
  const res = await fetch(path, init)
  if (!res.ok) {
    let message = `${res.status} ${res.statusText}`
    try { message = (await res.json()).error.message } catch {}
    throw new Error(message)
  }
  return res
}

const json = async path => (await api(path)).json()

function text (id, value) {
  $(id).textContent = String(value)
}

function short (peerId) {
  return peerId.length > 16 ? `${peerId.slice(0, 8)}…${peerId.slice(-6)}` : peerId
}

/** Prometheus text → Map of `name{labels}` → value (enough for counters, gauges and histogram sums). */
export function parseMetrics (body) {
  const values = new Map()
  for (const line of body.split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const space = line.lastIndexOf(' ')
    values.set(line.slice(0, space), Number(line.slice(space + 1)))
  }
  return values
}

function showId (id) {
  text('peer-id', id.peerId)
  text('position', id.position)
  $('addresses').replaceChildren(...id.multiaddrs.map(ma => {
    const li = document.createElement('li')
    li.append(Object.assign(document.createElement('code'), { textContent: ma }))
    return li
  }))
  // present once the node reports them (internet mode)
  text('mode', id.mode ?? '—')
  text('reachability', typeof id.reachability === 'object' && id.reachability != null
    ? Object.entries(id.reachability).map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : v}`).join(', ')
    : id.reachability ?? '—')
}

function showStats (s) {
  const r = s.repair
  const n = s.network
  text('items-held', `${s.items} (${s.bytes} bytes, ${s.pinned} pinned)`)
  text('items-responsible', r.responsible)
  text('replicas', s.replicas)
  text('under-r', r.underReplicated)
  text('over-r', r.overReplicated)
  const healthy = Math.max(0, r.responsible - r.underReplicated - r.overReplicated)
  const total = Math.max(1, r.responsible)
  $('health-bar').replaceChildren(...[['ok', healthy], ['under', r.underReplicated], ['over', r.overReplicated]].map(([cls, count]) => {
    const span = document.createElement('span')
    span.className = cls
    span.style.width = `${100 * count / total}%`
    span.title = `${cls}: ${count}`
    return span
  }))
  text('last-round', r.lastRoundAt === 0 ? 'none yet' : `${new Date(r.lastRoundAt).toLocaleTimeString()} (${r.lastRoundMs} ms, ${r.lastRoundBytes} bytes)`)
  text('repair-totals', `${r.rounds} rounds, ${r.pushed} pushed, ${r.dropped} dropped`)
  if (n != null) {
    const size = n.networkSize
    text('size-estimate', `~${Math.round(size.estimate)}`)
    text('size-detail', size.peers === 0
      ? 'no peers known: the estimate is just this node'
      : `±${size.plusMinus ?? '?'}: likely ${size.low ?? '?'} to ${size.high ?? 'many'} nodes, from the distances to the ${size.peers} nearest peers`)
    text('queue-now', `${n.inbound.running} running, ${n.inbound.queued} waiting`)
    text('queue-totals', `${n.inbound.refused} refused busy, ${n.inbound.done} done`)
  }
}

function showTable (table) {
  text('peer-count', table.size)
  bandOfPeer = new Map(table.bands.flatMap(b => b.peers.map(p => [p.peerId, b.band])))
  drawBands($('bands'), table.bands.map(b => ({ band: b.band, count: b.peers.length })))
}

function showPeers ({ peers }) {
  $('peers').replaceChildren(...peers.map(p => {
    const tr = document.createElement('tr')
    tr.dataset.peerId = p.peerId
    const cells = [short(p.peerId), p.multiaddrs[0] ?? '', p.latencyMs == null ? '—' : `${p.latencyMs} ms`, bandOfPeer.get(p.peerId) ?? '—']
    for (const [i, value] of cells.entries()) {
      const td = document.createElement('td')
      if (i === 0) td.title = p.peerId
      if (i === 1) td.title = p.multiaddrs.join('\n')
      td.textContent = String(value)
      tr.append(td)
    }
    return tr
  }))
}

function showMetrics (body) {
  const m = parseMetrics(body)
  text('handoff-totals', `${m.get('toyrrent_handoff_items_sent_total') ?? 0} sent, ${m.get('toyrrent_handoff_items_received_total') ?? 0} received, ${m.get('toyrrent_handoff_failures_total') ?? 0} failed`)
}

/** New samples since the last one this page has (all of them on the first call). */
async function loadHistory () {
  const since = samples.length === 0 ? '' : `?since=${samples[samples.length - 1].t}`
  const history = await json(`/v1/stats/history${since}`)
  clockOffset = Date.now() - history.now
  spanMs = history.spanMs
  samples.push(...history.samples)
  while (samples.length > 0 && samples[0].t < history.now - spanMs) samples.shift()
}

/** Rates and mean latencies between neighbouring samples: one point per interval. */
function showCharts () {
  const rate = []
  const latency = []
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1]
    const b = samples[i]
    const seconds = (b.t - a.t) / 1000
    const lookups = b.lookups - a.lookups
    // counters start from zero when the daemon restarts: no point across a restart
    if (seconds <= 0 || b.requests < a.requests || lookups < 0) continue
    rate.push({ t: b.t, v: (b.requests - a.requests) / seconds })
    latency.push({ t: b.t, v: lookups > 0 ? 1000 * (b.lookupSeconds - a.lookupSeconds) / lookups : null })
  }
  drawSeries($('chart-rate'), rate, spanMs, 'req/s', clockOffset)
  drawSeries($('chart-latency'), latency, spanMs, 'ms', clockOffset)
}

async function poll () {
  try {
    const [id, stats, table, peers, metrics] = await Promise.all([
      json('/v1/id'), json('/v1/stats'), json('/v1/table'), json('/v1/peers'),
      api('/metrics').then(res => res.text()).catch(() => ''),
      loadHistory()
    ])
    showId(id)
    showStats(stats)
    showTable(table)
    showPeers(peers)
    showMetrics(metrics)
    showCharts()
    $('live').className = 'live ok'
    text('live', `live, ${new Date().toLocaleTimeString()}`)
  } catch (err) {
    $('live').className = 'live down'
    text('live', `cannot reach the daemon: ${err.message}`)
  } finally {
    document.body.dataset.polls = String(Number(document.body.dataset.polls ?? 0) + 1)
    setTimeout(poll, POLL_MS)
  }
}

function showResult (id, message, error = false) {
  const out = $(id)
  out.textContent = message
  out.classList.toggle('error', error)
}

$('put-form').addEventListener('submit', async event => {
  event.preventDefault()
  try {
    const res = await api('/v1/items', { method: 'POST', headers: { 'Content-Type': 'application/octet-stream' }, body: new TextEncoder().encode($('put-value').value) })
    const put = await res.json()
    showResult('put-result', `${put.cid}\nstored on ${put.stored.length} node(s)`)
    $('put-result').dataset.cid = put.cid
  } catch (err) {
    showResult('put-result', err.message, true)
  }
})

$('get-form').addEventListener('submit', async event => {
  event.preventDefault()
  try {
    const bytes = new Uint8Array(await (await api(`/v1/items/${encodeURIComponent($('get-key').value.trim())}`)).arrayBuffer())
    let shown
    try {
      shown = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
    } catch {
      shown = `hex: ${[...bytes].map(b => b.toString(16).padStart(2, '0')).join('')}`
    }
    showResult('get-result', shown)
  } catch (err) {
    showResult('get-result', err.message, true)
  }
})

/** Files (add by drag and drop, download by CID) only when this daemon serves /v1/files. */
async function enableFiles () {
  try {
    if (!(await json('/v1/dashboard/features')).files) return
  } catch {
    return
  }
  $('files-card').hidden = false
  const drop = $('drop')
  const add = async file => {
    showResult('file-result', `adding ${file.name} (${file.size} bytes)…`)
    try {
      const res = await api(`/v1/files?name=${encodeURIComponent(file.name)}`, { method: 'POST', headers: { 'Content-Type': 'application/octet-stream' }, body: file })
      const added = await res.json()
      showResult('file-result', `${added.cid}  ${file.name}, ${added.size} bytes in ${added.blocks} blocks`)
      $('download-cid').value = added.cid
    } catch (err) {
      showResult('file-result', err.message, true)
    }
  }
  drop.addEventListener('dragover', event => { event.preventDefault(); drop.classList.add('over') })
  drop.addEventListener('dragleave', () => { drop.classList.remove('over') })
  drop.addEventListener('drop', event => {
    event.preventDefault()
    drop.classList.remove('over')
    for (const file of event.dataTransfer.files) void add(file)
  })
  $('file-input').addEventListener('change', event => { for (const file of event.target.files) void add(file) })
  $('download-form').addEventListener('submit', event => {
    event.preventDefault()
    const a = document.createElement('a')
    a.href = `/v1/files/${encodeURIComponent($('download-cid').value.trim())}`
    a.download = ''
    a.click()
  })
}

void enableFiles()
void poll()

// Small SVG charts: bars for the distance bands, a line over time for the
// request series. No library: a few elements redrawn on each update.
const NS = 'http://www.w3.org/2000/svg'

function el (name, attrs, text) {
  const node = document.createElementNS(NS, name)
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v))
  if (text != null) node.textContent = text
  return node
}

function size (svg) {
  const box = svg.getBoundingClientRect()
  const width = Math.max(200, Math.round(box.width))
  const height = Math.max(80, Math.round(box.height))
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`)
  return { width, height }
}

/**
 * Bars of peers per distance band, farthest band (255) on the left, down to
 * one band below the nearest non-empty one. `bands`: [{ band, count }].
 */
export function drawBands (svg, bands) {
  svg.replaceChildren()
  const { width, height } = size(svg)
  if (bands.length === 0) {
    svg.append(el('text', { x: 8, y: height / 2 }, 'no peers in the routing table yet'))
    return
  }
  const counts = new Map(bands.map(b => [b.band, b.count]))
  const low = Math.max(0, Math.min(...bands.map(b => b.band)) - 1)
  const shown = []
  for (let band = 255; band >= low; band--) shown.push(band)
  const max = Math.max(...bands.map(b => b.count))
  const slot = (width - 10) / shown.length
  const top = 14
  const bottom = height - 16
  shown.forEach((band, i) => {
    const count = counts.get(band) ?? 0
    const h = count === 0 ? 0 : Math.max(2, (bottom - top) * count / max)
    const x = 5 + i * slot
    const rect = el('rect', { class: 'band', x: x + 1, y: bottom - h, width: Math.max(1, slot - 2), height: h, 'data-band': band, 'data-count': count })
    rect.append(el('title', {}, `band ${band}: ${count} peer(s)`))
    svg.append(rect)
    if (count > 0 && slot >= 12) svg.append(el('text', { x: x + slot / 2, y: bottom - h - 3, 'text-anchor': 'middle' }, count))
    if (shown.length <= 24 || i % Math.ceil(shown.length / 12) === 0) {
      svg.append(el('text', { x: x + slot / 2, y: height - 3, 'text-anchor': 'middle' }, band))
    }
  })
  svg.append(el('line', { class: 'axis', x1: 5, x2: width - 5, y1: bottom, y2: bottom }))
}

/**
 * A line of `points` ([{ t, v }], t in ms of the daemon's clock, which is
 * `offsetMs` behind the page's) over the last `spanMs`; null values leave
 * gaps. The path carries the times of its first and last point and how many
 * it has (data-first-t, data-last-t, data-points), in the daemon's clock.
 */
export function drawSeries (svg, points, spanMs, unit, offsetMs = 0) {
  svg.replaceChildren()
  const { width, height } = size(svg)
  const now = Date.now() - offsetMs
  const left = 36
  const top = 8
  const bottom = height - 16
  const shown = points.filter(p => p.t >= now - spanMs)
  const values = shown.filter(p => p.v != null).map(p => p.v)
  const max = niceMax(Math.max(1, ...values))
  svg.append(el('line', { class: 'axis', x1: left, x2: width, y1: bottom, y2: bottom }))
  svg.append(el('line', { class: 'axis', x1: left, x2: left, y1: top, y2: bottom }))
  svg.append(el('text', { x: left - 4, y: top + 8, 'text-anchor': 'end' }, format(max)))
  svg.append(el('text', { x: left - 4, y: bottom, 'text-anchor': 'end' }, '0'))
  svg.append(el('text', { x: left, y: height - 3 }, `-${Math.round(spanMs / 60000)} min`))
  svg.append(el('text', { x: width, y: height - 3, 'text-anchor': 'end' }, `now (${unit})`))
  let d = ''
  const drawn = []
  // runs of points without a gap; a run of one is drawn as a dot (a path of one point shows nothing)
  const runs = [[]]
  for (const p of shown) {
    if (p.v == null) { if (runs[runs.length - 1].length > 0) runs.push([]); continue }
    const x = left + (width - left) * (1 - (now - p.t) / spanMs)
    const y = bottom - (bottom - top) * p.v / max
    d += `${runs[runs.length - 1].length > 0 ? 'L' : 'M'}${x.toFixed(1)},${y.toFixed(1)} `
    runs[runs.length - 1].push({ x, y })
    drawn.push(p)
  }
  if (d !== '') {
    svg.append(el('path', { class: 'line', d, 'data-first-t': drawn[0].t, 'data-last-t': drawn[drawn.length - 1].t, 'data-points': drawn.length }))
    for (const run of runs) if (run.length === 1) svg.append(el('circle', { class: 'dot', cx: run[0].x.toFixed(1), cy: run[0].y.toFixed(1), r: 2.5 }))
  } else {
    svg.append(el('text', { x: left + 8, y: (top + bottom) / 2 }, 'collecting…'))
  }
}

function niceMax (v) {
  const p = 10 ** Math.floor(Math.log10(v))
  for (const m of [1, 2, 5, 10]) if (v <= m * p) return m * p
  return 10 * p
}

function format (v) {
  return v >= 100 ? String(Math.round(v)) : String(Number(v.toPrecision(2)))
}

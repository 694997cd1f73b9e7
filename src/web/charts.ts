/**
 * Charts as SVG drawn on the server: a few kilobytes in the page, nothing to load (county intranets have no
 * internet, and Workers need no asset for it), readable with scripts off, on a phone and in print. Hover shows
 * each point's figure through SVG <title>.
 */
import { escape, raw, type Html } from './html.ts'

export interface Series {
  name: string
  /** Percent values (null: no figure that month). */
  values: (number | null)[]
  colour: string
  dashed?: boolean
}

const f1 = (n: number) => (Math.round(n * 10) / 10).toString()

/** Lines of percentages over months, with a y axis from 0 to the highest value (at least 100 %). */
export function lineChart(opts: { labels: string[]; series: Series[]; width?: number; height?: number; title: string }): Html {
  const W = opts.width ?? 720
  const H = opts.height ?? 260
  const L = 44
  const R = 12
  const T = 14
  const B = 30
  const maxV = Math.max(100, ...opts.series.flatMap((s) => s.values.filter((v): v is number => v !== null)))
  const top = Math.ceil(maxV / 20) * 20
  const n = Math.max(opts.labels.length, 1)
  const x = (i: number) => L + (n === 1 ? (W - L - R) / 2 : (i * (W - L - R)) / (n - 1))
  const y = (v: number) => T + (H - T - B) * (1 - v / top)
  const parts: string[] = []
  for (let v = 0; v <= top; v += 20) {
    parts.push(`<line x1="${L}" x2="${W - R}" y1="${f1(y(v))}" y2="${f1(y(v))}" stroke="#e3e7ec"/>`)
    parts.push(`<text x="${L - 6}" y="${f1(y(v) + 4)}" text-anchor="end" font-size="11" fill="#66717d">${v}%</text>`)
  }
  opts.labels.forEach((l, i) =>
    parts.push(`<text x="${f1(x(i))}" y="${H - 10}" text-anchor="middle" font-size="11" fill="#66717d">${escape(l)}</text>`),
  )
  for (const s of opts.series) {
    const pts = s.values.map((v, i) => (v === null ? null : ([x(i), y(v), v] as const)))
    let d = ''
    let pen = false
    for (const p of pts) {
      if (!p) {
        pen = false
        continue
      }
      d += `${pen ? 'L' : 'M'}${f1(p[0])},${f1(p[1])}`
      pen = true
    }
    parts.push(
      `<path d="${d}" fill="none" stroke="${s.colour}" stroke-width="2.5"${s.dashed ? ' stroke-dasharray="6 4"' : ''}><title>${escape(s.name)}</title></path>`,
    )
    pts.forEach((p, i) => {
      if (p)
        parts.push(
          `<circle cx="${f1(p[0])}" cy="${f1(p[1])}" r="3.5" fill="${s.colour}"><title>${escape(`${opts.labels[i]} ${s.name} ${f1(p[2])}%`)}</title></circle>`,
        )
    })
  }
  const legend = opts.series.map((s) => `<span><i class="dot" style="background:${s.colour}"></i>${escape(s.name)}</span>`).join('')
  return raw(
    `<figure class="chart"><svg viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="${escape(opts.title)}" preserveAspectRatio="xMidYMid meet">${parts.join('')}</svg><figcaption class="legend">${legend}</figcaption></figure>`,
  )
}

export interface Stack {
  label: string
  parts: { name: string; value: number; colour: string }[]
}

/** Stacked columns (counts of each colour per month). */
export function stackedColumns(opts: { stacks: Stack[]; width?: number; height?: number; title: string }): Html {
  const W = opts.width ?? 720
  const H = opts.height ?? 220
  const L = 36
  const B = 26
  const T = 10
  const n = Math.max(opts.stacks.length, 1)
  const total = Math.max(1, ...opts.stacks.map((s) => s.parts.reduce((a, p) => a + p.value, 0)))
  const slot = (W - L - 8) / n
  const bw = Math.min(46, slot * 0.7)
  const parts: string[] = []
  parts.push(`<text x="${L - 6}" y="${T + 10}" text-anchor="end" font-size="11" fill="#66717d">${total}</text>`)
  parts.push(`<line x1="${L}" x2="${W - 8}" y1="${H - B}" y2="${H - B}" stroke="#c5ccd4"/>`)
  opts.stacks.forEach((s, i) => {
    const cx = L + slot * i + slot / 2
    let base = H - B
    for (const p of s.parts) {
      if (!p.value) continue
      const h = ((H - B - T) * p.value) / total
      base -= h
      parts.push(
        `<rect x="${f1(cx - bw / 2)}" y="${f1(base)}" width="${f1(bw)}" height="${f1(h)}" fill="${p.colour}"><title>${escape(`${s.label} ${p.name} ${p.value}个`)}</title></rect>`,
      )
    }
    parts.push(`<text x="${f1(cx)}" y="${H - 8}" text-anchor="middle" font-size="11" fill="#66717d">${escape(s.label)}</text>`)
  })
  const names = new Map(opts.stacks.flatMap((s) => s.parts.map((p) => [p.name, p.colour] as const)))
  const legend = [...names].map(([name, c]) => `<span><i class="dot" style="background:${c}"></i>${escape(name)}</span>`).join('')
  return raw(
    `<figure class="chart"><svg viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="${escape(opts.title)}">${parts.join('')}</svg><figcaption class="legend">${legend}</figcaption></figure>`,
  )
}

export interface Tile {
  label: string
  /** Sizes the tile (年度计划, 元). */
  value: number
  fill: string
  href?: string
  /** Second line on the tile (完成率). */
  note: string
  tooltip: string
}

interface Rect {
  x: number
  y: number
  w: number
  h: number
}

/** Squarified treemap layout (Bruls et al.): tiles near square, biggest first. */
function squarify(values: number[], box: Rect): Rect[] {
  const out: Rect[] = new Array(values.length)
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => b[0] - a[0])
  const total = values.reduce((a, b) => a + b, 0) || 1
  const scale = (box.w * box.h) / total
  let rest = { ...box }
  let row: (readonly [number, number])[] = []
  const worst = (r: (readonly [number, number])[], side: number) => {
    const areas = r.map(([v]) => v * scale)
    const s = areas.reduce((a, b) => a + b, 0)
    const mx = Math.max(...areas)
    const mn = Math.min(...areas)
    return Math.max((side * side * mx) / (s * s), (s * s) / (side * side * mn))
  }
  const layRow = (r: (readonly [number, number])[]) => {
    const s = r.reduce((a, [v]) => a + v * scale, 0)
    if (rest.w >= rest.h) {
      const w = s / rest.h
      let y = rest.y
      for (const [v, i] of r) {
        const h = (v * scale) / w
        out[i] = { x: rest.x, y, w, h }
        y += h
      }
      rest = { x: rest.x + w, y: rest.y, w: rest.w - w, h: rest.h }
    } else {
      const h = s / rest.w
      let x = rest.x
      for (const [v, i] of r) {
        const w = (v * scale) / h
        out[i] = { x, y: rest.y, w, h }
        x += w
      }
      rest = { x: rest.x, y: rest.y + h, w: rest.w, h: rest.h - h }
    }
  }
  for (const item of order) {
    if (item[0] <= 0) {
      out[item[1]] = { x: rest.x, y: rest.y, w: 0, h: 0 }
      continue
    }
    const side = Math.min(rest.w, rest.h)
    if (row.length === 0 || worst([...row, item], side) <= worst(row, side)) row.push(item)
    else {
      layRow(row)
      row = [item]
    }
  }
  if (row.length) layRow(row)
  return out
}

/** The 一张图: tiles sized by plan, coloured by 完成率 against 序时, each a link to its unit's projects. */
export function treemap(tiles: Tile[], opts: { width?: number; height?: number; title: string }): Html {
  const W = opts.width ?? 1200
  const H = opts.height ?? 640
  const rects = squarify(
    tiles.map((t) => t.value),
    { x: 0, y: 0, w: W, h: H },
  )
  const parts = tiles.map((t, i) => {
    const r = rects[i]!
    if (r.w <= 0 || r.h <= 0) return ''
    // Each tile's words in a nested <svg>, which clips them to the tile: a small unit keeps its colour, not a spill.
    const fs = Math.max(10, Math.min(22, (r.w - 8) / Math.max(2, t.label.length), r.h / 3))
    const text =
      r.w > 30 && r.h > 18
        ? `<svg x="${f1(r.x)}" y="${f1(r.y)}" width="${f1(r.w)}" height="${f1(r.h)}"><text x="6" y="${f1(fs + 4)}" font-size="${f1(fs)}" fill="#fff" font-weight="600">${escape(t.label)}</text>` +
          (r.h > fs * 2 + 14 ? `<text x="6" y="${f1(fs * 2 + 10)}" font-size="${f1(fs * 0.8)}" fill="#fff">${escape(t.note)}</text>` : '') +
          '</svg>'
        : ''
    const tile = `<rect x="${f1(r.x)}" y="${f1(r.y)}" width="${f1(r.w)}" height="${f1(r.h)}" fill="${t.fill}" stroke="#fff" stroke-width="2"><title>${escape(t.tooltip)}</title></rect>${text}`
    return t.href ? `<a href="${escape(t.href)}">${tile}</a>` : tile
  })
  return raw(`<svg viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="${escape(opts.title)}">${parts.join('')}</svg>`)
}

/** Fill of a 完成率 against its 序时: blue at or ahead, then lighter, yellow and red as the gap widens (points). */
export function gapFill(gapPoints: number | null): string {
  if (gapPoints === null) return '#9aa3ad'
  if (gapPoints >= 0) return '#1f6fd1'
  if (gapPoints > -5) return '#5b8fd4'
  if (gapPoints > -10) return '#e0a400'
  if (gapPoints > -20) return '#e07a1f'
  return '#d33a2c'
}

export const COLOUR_HEX: Record<string, string> = { blue: '#1f6fd1', watch: '#7a9cc6', yellow: '#e0a400', red: '#d33a2c', none: '#9aa3ad' }

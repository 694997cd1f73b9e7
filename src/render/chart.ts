/**
 * Board charts as images, behind one small interface so the core never imports a rasteriser: the SVG is drawn
 * here with echarts' server-side renderer (pure JS, runs on Node and Workers alike), and the runtime turns it
 * into PNG (Node: @resvg/resvg-js in src/runtime/node/png.ts; Workers later: @resvg/resvg-wasm with the same
 * font). Fonts are the runtime's business too: the SVG names `CHART_FONT_FAMILY` and nothing else.
 *
 * @example
 *   const chart = chartOfCard(boardCard(...))          // the card's bar chart, or its score table as bars
 *   const png = chart && (await renderer.png(chart))    // Uint8Array, PNG
 */
import * as echarts from 'echarts'
import type { Card } from '../model/index.ts'

/** What a board image shows: horizontal bars, best first. */
export interface ChartSpec {
  title: string
  subtitle?: string
  bars: { label: string; value: number }[]
  unit?: string
}

/** Turns a chart into PNG bytes (the runtime's rasteriser). */
export interface ChartImageRenderer {
  png(chart: ChartSpec): Promise<Uint8Array>
}

/** The one font family the SVG asks for: the runtime maps it to the shipped Noto Sans SC subset. */
export const CHART_FONT_FAMILY = 'Noto Sans CJK SC'

/** At most this many bars (a group chat image stays legible on a phone). */
export const CHART_MAX_BARS = 30

/**
 * The chart a card can be drawn as: its `chart` element, else its first table's 得分 column by 单位 (the
 * 赛马 board with several leagues), else nothing.
 */
export function chartOfCard(card: Card): ChartSpec | undefined {
  const chart = card.elements.find((e) => e.kind === 'chart')
  const base = { title: card.title, ...(card.subtitle && { subtitle: card.subtitle }) }
  if (chart && chart.kind === 'chart' && chart.bars.length)
    return { ...base, bars: chart.bars.slice(0, CHART_MAX_BARS), ...(chart.unit && { unit: chart.unit }) }
  for (const el of card.elements) {
    if (el.kind !== 'table') continue
    const label = el.columns.find((c) => !c.numeric && c.key !== 'rank')
    const value = el.columns.find((c) => c.numeric && c.key !== 'rank')
    if (!label || !value) continue
    const bars = el.rows
      .map((r) => ({ label: String(r[label.key] ?? ''), value: Number(String(r[value.key] ?? '').replace(/[^\d.-]/g, '')) }))
      .filter((b) => b.label && Number.isFinite(b.value))
    if (bars.length) return { ...base, bars: bars.slice(0, CHART_MAX_BARS), unit: value.label.replace(/^.*[(（](.*)[)）].*$/, '$1') }
  }
  return undefined
}

/** Width and height of the image for a chart (height grows with the bars). */
export function chartSize(chart: ChartSpec): { width: number; height: number } {
  return { width: 800, height: Math.max(360, 120 + chart.bars.length * 28) }
}

/** The chart as an SVG document (echarts SSR, no DOM). */
export function chartSvg(chart: ChartSpec): string {
  const { width, height } = chartSize(chart)
  const c = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height })
  try {
    const bars = [...chart.bars].reverse() // echarts draws the first category at the bottom
    c.setOption({
      animation: false,
      backgroundColor: '#ffffff',
      textStyle: { fontFamily: CHART_FONT_FAMILY },
      title: {
        text: chart.title,
        subtext: chart.subtitle ?? '',
        left: 'center',
        textStyle: { fontFamily: CHART_FONT_FAMILY, fontSize: 20, fontWeight: 'normal' },
        subtextStyle: { fontFamily: CHART_FONT_FAMILY, fontSize: 12, width: width - 40, overflow: 'truncate' },
      },
      grid: { left: 150, right: 70, top: chart.subtitle ? 80 : 60, bottom: 30 },
      xAxis: { type: 'value', name: chart.unit ?? '', axisLabel: { fontFamily: CHART_FONT_FAMILY } },
      yAxis: {
        type: 'category',
        data: bars.map((b) => b.label),
        axisLabel: { fontFamily: CHART_FONT_FAMILY, fontSize: 13, width: 135, overflow: 'truncate' },
      },
      series: [
        {
          type: 'bar',
          data: bars.map((b) => b.value),
          itemStyle: { color: '#3370ff' },
          label: { show: true, position: 'right', fontFamily: CHART_FONT_FAMILY },
        },
      ],
    })
    return c.renderToSVGString()
  } finally {
    c.dispose()
  }
}

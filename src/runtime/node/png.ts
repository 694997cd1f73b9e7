/**
 * SVG → PNG on Node: @resvg/resvg-js (a native binary from an optional dependency, no install script) with the
 * Noto Sans SC subset shipped in assets/fonts (GB2312's 7,5xx characters, 1.8 MB, OFL: assets/fonts/OFL.txt).
 * System fonts are not read, so a server without CJK fonts draws the same image as this one.
 *
 * @example
 *   const renderer = createPngRenderer()
 *   const png = await renderer.png({ title: '赛马比拼', bars: [{ label: '城关镇', value: 92.5 }] })
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Resvg } from '@resvg/resvg-js'
import { CHART_FONT_FAMILY, chartSize, chartSvg, type ChartImageRenderer } from '../../render/chart.ts'

export const CHART_FONT_FILE = fileURLToPath(new URL('../../../assets/fonts/NotoSansSC-GB2312.otf', import.meta.url))

export interface PngRendererOptions {
  /** Font files to draw with (default the shipped subset); [] draws without any (tests compare). */
  fontFiles?: string[]
}

export function createPngRenderer(o: PngRendererOptions = {}): ChartImageRenderer {
  const fontFiles = o.fontFiles ?? [CHART_FONT_FILE]
  for (const f of fontFiles) readFileSync(f, { flag: 'r' }).subarray(0, 4) // fail at start-up, not at the first board
  return {
    async png(chart) {
      const svg = chartSvg(chart)
      const r = new Resvg(svg, {
        font: { fontFiles, loadSystemFonts: false, defaultFontFamily: CHART_FONT_FAMILY },
        fitTo: { mode: 'width', value: chartSize(chart).width },
        background: '#ffffff',
      })
      return new Uint8Array(r.render().asPng())
    },
  }
}

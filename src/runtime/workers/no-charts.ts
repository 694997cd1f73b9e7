/**
 * What `echarts` resolves to in the Worker's bundle (wrangler.toml `alias`): nothing. Board images are drawn on
 * Node (src/render with echarts, PNG by @resvg/resvg-js); the Worker hands no chart renderer to the channels, so
 * boards go as markdown and echarts' 2.4 MB (≈ 650 KiB gzip) stays out of the bundle.
 */
export {}

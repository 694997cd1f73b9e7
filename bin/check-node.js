// Stops a Node that cannot run Diaodu with one line saying what it needs, before anything TypeScript loads
// (Node 20 would fail on the first .ts import, or on the --experimental-strip-types flag, with a stack trace).
// Plain JavaScript so every Node can read it: `npm start` and `npm test` run it first (prestart, pretest), the
// diaodu command and src/runtime/node/preload.ts import it.
//
// better-sqlite3 13 is built on Node-API 10, which Node has from 22.14; on 22.12 and 22.13 opening a database
// crashes the process (segmentation fault, measured) instead of failing with an error.

/**
 * Why this Node cannot run Diaodu, or null when it can.
 * @param {{ node: string; napi?: string }} versions
 * @returns {string | null}
 */
export function tooOld(versions) {
  if (Number(versions.napi ?? 0) >= 10) return null
  return (
    `调度助手需要 Node.js ≥ 22.14（推荐 24 LTS），当前为 ${versions.node}：内置数据库 better-sqlite3 13 需要 Node-API 10。` +
    ` (Diaodu needs Node.js >= 22.14: better-sqlite3 13 needs Node-API 10; this is Node ${versions.node}.)`
  )
}

const refusal = tooOld(process.versions)
if (refusal) {
  console.error(refusal)
  process.exit(1)
}

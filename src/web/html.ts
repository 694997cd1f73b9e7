/**
 * HTML by tagged template: every interpolated value is escaped unless it is already `Html` (another template,
 * `raw`), arrays are joined. Synchronous and runtime-free, so pages render the same on Node and Workers.
 *
 * @example
 *   html`<td>${project.name}</td>`        // a name with <script> in it is shown as typed
 */
export class Html {
  readonly text: string
  constructor(text: string) {
    this.text = text
  }
  toString() {
    return this.text
  }
}

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }
export const escape = (s: string) => s.replace(/[&<>"']/g, (c) => ESC[c]!)

type Value = Html | string | number | null | undefined | false | readonly Value[]

function render(v: Value): string {
  if (v === null || v === undefined || v === false) return ''
  if (v instanceof Html) return v.text
  if (Array.isArray(v)) return v.map(render).join('')
  return escape(String(v))
}

export function html(strings: TemplateStringsArray, ...values: Value[]): Html {
  let out = strings[0]!
  for (let i = 0; i < values.length; i++) out += render(values[i]!) + strings[i + 1]!
  return new Html(out)
}

/** Trusted markup (our own SVG, CSS). */
export const raw = (s: string) => new Html(s)

export interface NavItem {
  href: string
  label: string
}

export const NAV: NavItem[] = [
  { href: '/', label: '总览' },
  { href: '/projects', label: '项目' },
  { href: '/board', label: '赛马' },
  { href: '/map', label: '一张图' },
  { href: '/problems', label: '台账' },
  { href: '/supervisions', label: '督办' },
  { href: '/bulletin', label: '通报' },
]

/** The office's own pages (导入 the 清单, 设置 the rules), after the others. */
export const OFFICE_NAV: NavItem[] = [
  { href: '/import', label: '导入' },
  { href: '/settings', label: '设置' },
]

export interface PageFrame {
  title: string
  /** The nav item this page belongs to. */
  active: string
  county: string
  who: { name: string; title: string | null; scope: string }
  demo: boolean
  /** The office sees its own pages in the nav. */
  office?: boolean
  body: Html
}

/** The page around every screen: header with the county, the person and their scope, the nav, the body. */
export function page(f: PageFrame): Html {
  return html`<!doctype html>
    <html lang="zh-CN">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${f.title} · ${f.county}挂图作战</title>
        <link rel="stylesheet" href="/web/app.css" />
      </head>
      <body>
        <header class="top">
          <div class="brand">${f.county}重点项目 · 挂图作战</div>
          <nav>
            ${[...NAV, ...(f.office ? OFFICE_NAV : [])].map((n) => html`<a href="${n.href}" ${n.href === f.active ? raw(' class="on" aria-current="page"') : ''}>${n.label}</a>`)}
          </nav>
          <div class="who">
            <span>${f.who.name}${f.who.title ? html`（${f.who.title}）` : ''}</span> <span class="scope">范围：${f.who.scope}</span>
            <a href="/logout">退出</a>
          </div>
        </header>
        ${f.demo ? html`<div class="demo">【演示数据】以下为演示县数据：单位、项目和数字均为虚构</div>` : ''}
        <main>
          <h1>${f.title}</h1>
          ${f.body}
        </main>
      </body>
    </html>`
}

/** A page for people not signed in (link used, expired, 退出): one message and what to do. */
export function messagePage(title: string, message: string, extra: Html | string = ''): Html {
  return html`<!doctype html>
    <html lang="zh-CN">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title}</title>
        <link rel="stylesheet" href="/web/app.css" />
      </head>
      <body class="bare">
        <main class="message">
          <h1>${title}</h1>
          <p>${message}</p>
          ${extra}
        </main>
      </body>
    </html>`
}

/** A column of figures in a table head: right-aligned like its cells (class `n`). */
export const figure = (label: string) => ({ figure: label })

/** A table's head row, one cell a column: a plain label, or `figure(label)` for figures. */
export function thead(columns: readonly (string | { figure: string })[]): Html {
  const cell = (c: string | { figure: string }) => (typeof c === 'string' ? html`<th>${c}</th>` : html`<th class="n">${c.figure}</th>`)
  return html`<thead>
    <tr>
      ${columns.map(cell)}
    </tr>
  </thead>`
}

/** The colour names of 三色管理 as CSS classes and labels. */
export const COLOUR_CLASS: Record<string, string> = { blue: 'c-blue', watch: 'c-watch', yellow: 'c-yellow', red: 'c-red', none: 'c-none' }

export const CSS = `
:root{--blue:#1f6fd1;--watch:#7a9cc6;--yellow:#e0a400;--red:#d33a2c;--none:#9aa3ad;--ink:#1d2630;--muted:#66717d;--line:#e3e7ec;--bg:#f5f7fa}
*{box-sizing:border-box}
body{margin:0;font-family:"Noto Sans CJK SC","Noto Sans SC","PingFang SC","Microsoft YaHei",sans-serif;color:var(--ink);background:var(--bg);font-size:15px;line-height:1.5}
a{color:var(--blue);text-decoration:none}a:hover{text-decoration:underline}
header.top{display:flex;flex-wrap:wrap;align-items:center;gap:8px 20px;padding:10px 20px;background:#12355b;color:#fff}
header.top a{color:#dfe9f5}.brand{font-weight:700;font-size:17px}
header nav{display:flex;flex-wrap:wrap;gap:4px}header nav a{padding:4px 10px;border-radius:4px}header nav a.on{background:#fff;color:#12355b}
.who{margin-left:auto;font-size:13px}.who .scope{opacity:.8}
.demo{background:#fff4d6;color:#7a5a00;padding:6px 20px;font-size:13px}
main{padding:16px 20px;max-width:1880px;margin:0 auto}
h1{font-size:22px;margin:4px 0 12px}h2{font-size:17px;margin:20px 0 8px}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(160px,1fr));gap:10px}
.kpi{background:#fff;border:1px solid var(--line);border-radius:6px;padding:10px 14px}.kpi b{display:block;font-size:22px}.kpi b.small{font-size:14px;font-weight:400}.kpi span{color:var(--muted);font-size:13px}
.panel{background:#fff;border:1px solid var(--line);border-radius:6px;padding:12px 14px;margin:12px 0;overflow-x:auto}
.grid2{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:12px}
table{border-collapse:collapse;width:100%;font-size:14px}th,td{padding:5px 8px;border-bottom:1px solid var(--line);text-align:left;white-space:nowrap}
th{background:#f0f3f7;font-weight:600}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
tr.overdue td{background:#fff1ef}td.wrap{white-space:normal;min-width:16em}.nowrap{white-space:nowrap}
.dot{display:inline-block;width:.8em;height:.8em;border-radius:50%;vertical-align:-.05em;margin-right:4px}
.c-blue{background:var(--blue)}.c-watch{background:var(--watch)}.c-yellow{background:var(--yellow)}.c-red{background:var(--red)}.c-none{background:var(--none)}
.tag{display:inline-block;padding:0 6px;border-radius:3px;font-size:12px;background:#eef2f6;color:var(--muted)}.tag.bad{background:#fde3df;color:#a3271b}.tag.ok{background:#e3f3e6;color:#1d6b2e}
form.filters{display:flex;flex-wrap:wrap;gap:8px;align-items:end;margin-bottom:10px}form.filters label{display:flex;flex-direction:column;font-size:12px;color:var(--muted)}
select,input,button{font:inherit;padding:4px 6px;border:1px solid #c5ccd4;border-radius:4px;background:#fff}button{background:#12355b;color:#fff;border-color:#12355b;cursor:pointer}
.muted{color:var(--muted)}.up{color:#1d6b2e}.down{color:#a3271b}
svg text{font-family:inherit}
.legend{font-size:13px;color:var(--muted)}.legend span{margin-right:12px}
body.bare{display:flex;min-height:100vh;align-items:center;justify-content:center}main.message{background:#fff;border:1px solid var(--line);border-radius:8px;padding:24px 28px;max-width:520px}
section.card h2{margin-top:0}dl.fields{display:grid;grid-template-columns:repeat(auto-fit,minmax(220px,1fr));gap:6px 16px;margin:8px 0}dl.fields div{min-width:0}dl.fields dt{color:var(--muted);font-size:12px}dl.fields dd{margin:0;overflow-wrap:anywhere}
.act-buttons{display:flex;flex-wrap:wrap;gap:8px;margin:8px 0}.act-buttons form{margin:0}
form.act-form{display:grid;grid-template-columns:repeat(auto-fit,minmax(240px,1fr));gap:8px 16px;margin:8px 0;align-items:end}
label.field{display:flex;flex-direction:column;font-size:13px;color:var(--muted);min-width:0}label.field textarea,label.field input,label.field select{width:100%;color:var(--ink)}
textarea{font:inherit;padding:4px 6px;border:1px solid #c5ccd4;border-radius:4px}.req{color:var(--red);margin-left:2px}
button.act{background:#fff;color:#12355b}button.act.primary{background:#12355b;color:#fff}button.act.danger{background:#fff;color:#a3271b;border-color:#a3271b}
section.answer{border-left:4px solid var(--blue)}section.answer.bad{border-left-color:var(--red)}
table.diff td.wrap{max-width:40em}.err{color:#a3271b}
@media (max-width:640px){main{padding:10px}header.top{padding:8px 10px}.who{margin-left:0}.grid2{grid-template-columns:1fr}h1{font-size:19px}.kpi b{font-size:19px}}
@media (min-width:1800px){body{font-size:17px}.kpi b{font-size:28px}}
@media print{header.top nav,.who a,form.filters,.noprint,.demo{display:none}body{background:#fff}.panel{border:none}}
`

/**
 * The office's pages: 导入 (/import) and 设置 (/settings). Both call the services `diaodu import` and `diaodu config`
 * call (importWorkbook, setConfig), with the signed-in person as the actor in the audit log.
 *
 * 导入: upload → the dry run's diff (created / updated / unchanged, errors by sheet, row and column) → 确认导入. The
 * file the office confirms is the file it saw the diff of: the preview page carries its bytes back in the confirm
 * form (no upload kept on the server, so nothing to clean up and the same on Workers), with its SHA-256 shown.
 * 设置: the rules and the dispatch calendar as stored and in force; a change is previewed (what it does to the open
 * month: "N 个项目色牌改变") and then saved; a bad value is refused in Chinese naming the key.
 */
import { sha256 } from '@noble/hashes/sha2.js'
import type { Change, RowError } from '../../services/workbook/index.ts'
import type { ImportReport } from '../../services/workbook/index.ts'
import { SETTING_HELP, presets, type ConfigView, type SetResult } from '../../services/settings.ts'
import { toHex } from '../../lib/bytes.ts'
import { figure, html, raw, thead, type Html } from '../html.ts'
import { frame, type WebCtx } from '../context.ts'

const ACTION = { created: '新增', updated: '更新', unchanged: '未变' } as const
const ENTITY = { project: '项目', unit: '单位', person: '人员' } as const
/** Rows of the diff shown on the page; the rest are counted. */
const SHOWN = 300

const csrfField = (c: WebCtx) => html`<input type="hidden" name="_csrf" value="${c.csrf ?? ''}" />`

export function importPage(c: WebCtx, notice?: Html): Html {
  const body = html`${notice ?? ''}
    <section class="panel">
      <h2>上传项目清单</h2>
      <p class="muted">
        支持 .xlsx / .xls / .csv（项目、单位、人员三张表，与「diaodu
        import」相同）。先预览将新增、更新的内容和错误，确认后才写入；有错误时不写入任何数据，除非勾选「只导入无误的行」。
        <a href="/import/template">下载导入模板</a>
      </p>
      <form method="post" action="/import" enctype="multipart/form-data" class="act-form" id="upload">
        ${csrfField(c)}
        <label class="field"
          ><span>工作簿文件<span class="req">*</span></span
          ><input type="file" name="file" accept=".xlsx,.xls,.csv" required
        /></label>
        <div><button type="submit" class="act primary">预览导入</button></div>
      </form>
    </section>`
  return frame(c, '导入', '/import', body)
}

function countsTable(r: ImportReport): Html {
  const kinds = [
    ['项目', r.details.projects],
    ['单位', r.details.units],
    ['人员', r.details.people],
  ] as const
  return html`<table id="counts">
    ${thead(['表', figure('新增'), figure('更新'), figure('未变')])}
    <tbody>
      ${kinds.map(
        ([k, n]) =>
          html`<tr>
            <td>${k}</td>
            <td class="n">${n.created}</td>
            <td class="n">${n.updated}</td>
            <td class="n">${n.unchanged}</td>
          </tr>`,
      )}
    </tbody>
  </table>`
}

function changesTable(changes: Change[]): Html {
  const shown = changes.filter((ch) => ch.action !== 'unchanged')
  if (!shown.length) return html`<p class="muted">没有新增或更新的内容。</p>`
  return html`<table id="changes" class="diff">
      ${thead(['操作', '类别', '名称', '字段', '位置'])}
      <tbody>
        ${shown.slice(0, SHOWN).map(
          (ch) =>
            html`<tr>
              <td>${ACTION[ch.action]}</td>
              <td>${ENTITY[ch.entity]}</td>
              <td>${ch.name}</td>
              <td class="wrap">${ch.fields.join('、')}</td>
              <td>${ch.sheet} 第 ${ch.row} 行</td>
            </tr>`,
        )}
      </tbody>
    </table>
    ${shown.length > SHOWN ? html`<p class="muted">…… 另有 ${shown.length - SHOWN} 项</p>` : ''}`
}

function errorsTable(errors: RowError[]): Html {
  return html`<table id="errors" class="diff">
      ${thead(['表', figure('行'), '列', '错误'])}
      <tbody>
        ${errors.slice(0, SHOWN).map(
          (e) =>
            html`<tr>
              <td>${e.sheet}</td>
              <td class="n">${e.row || '—'}</td>
              <td>${e.column || '—'}</td>
              <td class="wrap err">${e.message}</td>
            </tr>`,
        )}
      </tbody>
    </table>
    ${errors.length > SHOWN ? html`<p class="muted">…… 另有 ${errors.length - SHOWN} 处</p>` : ''}`
}

/** The dry run's diff, and the form that imports the same bytes. */
export function importPreviewPage(c: WebCtx, file: { name: string; bytes: Uint8Array; base64: string }, r: ImportReport, partial: boolean): Html {
  const digest = toHex(sha256(file.bytes)).slice(0, 16)
  const writable = r.errors.length === 0 || partial
  const body = html`<section class="panel answer ${r.errors.length ? 'bad' : ''}" id="preview">
      <h2>预览：${file.name}</h2>
      <p>
        试导入，未写入。新增 ${r.created}，更新 ${r.updated}，未变
        ${r.unchanged}${r.errors.length ? html`，<b class="down">错误 ${r.errors.length} 处</b>` : ''}。<span class="muted">文件校验 ${digest}</span>
      </p>
      ${countsTable(r)}
    </section>
    ${
      r.errors.length
        ? html`<section class="panel">
            <h2>错误（按表、行、列）</h2>
            ${errorsTable(r.errors)}
          </section>`
        : ''
    }
    <section class="panel">
      <h2>将写入的变化</h2>
      ${changesTable(r.changes)}
    </section>
    <section class="panel">
      <form method="post" action="/import/confirm" enctype="multipart/form-data" id="confirm">
        ${csrfField(c)}
        <input type="hidden" name="name" value="${file.name}" />
        <input type="hidden" name="workbook" value="${file.base64}" />
        ${
          r.errors.length
            ? html`<label
                ><input type="checkbox" name="partial" value="1" ${partial ? raw('checked') : ''} /> 只导入无误的行（有错误的 ${r.errors.length}
                处不导入）</label
              > `
            : ''
        }
        <button type="submit" class="act primary">确认导入</button>
        <a href="/import">重新选择文件</a>
      </form>
      ${writable ? '' : html`<p class="muted">有错误时确认导入不会写入任何数据：请修正后重新上传，或勾选「只导入无误的行」。</p>`}
    </section>`
  return frame(c, '导入 · 预览', '/import', body)
}

export function importDonePage(c: WebCtx, name: string, r: ImportReport): Html {
  const body = html`<section class="panel answer ${r.written ? '' : 'bad'}" id="result">
      <h2>${r.written ? '已导入' : '未导入'}：${name}</h2>
      <p>
        ${
          r.written
            ? html`新增 ${r.created}，更新 ${r.updated}，未变 ${r.unchanged}${r.errors.length ? `；有错误的 ${r.errors.length} 处未导入` : ''}。`
            : html`有 ${r.errors.length} 处错误，未写入任何数据。请修正后重新上传，或勾选「只导入无误的行」。`
        }
      </p>
      ${countsTable(r)}
    </section>
    ${
      r.errors.length
        ? html`<section class="panel">
            <h2>错误</h2>
            ${errorsTable(r.errors)}
          </section>`
        : ''
    }
    <p><a href="/projects">查看项目清单</a> · <a href="/import">继续导入</a></p>`
  return frame(c, '导入', '/import', body)
}

/** A refusal of the upload (not a spreadsheet, too large, no file): said in Chinese, the form again. */
export function importRefused(c: WebCtx, message: string): Html {
  return importPage(
    c,
    html`<section class="panel answer bad" id="refused" role="alert">
      <h2>无法导入</h2>
      <p>${message}</p>
      <p class="muted">没有写入任何数据。</p>
    </section>`,
  )
}

const show = (v: unknown) => (v === undefined ? '—' : typeof v === 'string' ? v : JSON.stringify(v))

function valueAt(view: ConfigView, key: string): { effective: unknown; stored: unknown } {
  const [section, ...path] = key.split('.')
  const pick = (o: unknown) => path.reduce<unknown>((v, p) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[p] : undefined), o)
  const s = section === 'rules' ? view.rules : view.dispatch
  return { effective: pick(s.effective), stored: pick(s.stored) }
}

export function settingsPage(c: WebCtx, view: ConfigView, opts: { result?: SetResult; error?: string; key?: string; value?: string } = {}): Html {
  const { result, error } = opts
  const key = opts.key ?? result?.key ?? ''
  const value = opts.value ?? ''
  const notice = error
    ? html`<section class="panel answer bad" id="refused" role="alert">
        <h2>设置未保存</h2>
        <p>${error}</p>
      </section>`
    : result
      ? html`<section class="panel answer" id="effect" role="status">
          <h2>${result.written ? '已保存' : '预览（未保存）'}：${result.key}</h2>
          <p>由 <code>${show(result.before)}</code> 改为 <code>${show(result.after)}</code></p>
          ${result.effect.map((l) => html`<p>${l}</p>`)}
          ${
            result.written
              ? ''
              : html`<form method="post" action="/settings">
                  ${csrfField(c)}<input type="hidden" name="key" value="${result.key}" /><input type="hidden" name="value" value="${value}" />
                  <button type="submit" name="save" value="1" class="act primary">确认保存</button> <a href="/settings">放弃</a>
                </form>`
          }
        </section>`
      : ''
  const body = html`${notice}
    <section class="panel">
      <h2>修改设置</h2>
      <form method="post" action="/settings" class="act-form" id="set">
        ${csrfField(c)}
        <label class="field"
          ><span>设置项<span class="req">*</span></span
          ><select name="key" required>
            <option value="">请选择</option>
            ${Object.keys(SETTING_HELP).map((k) => html`<option value="${k}" ${k === key ? raw('selected') : ''}>${k}</option>`)}
          </select></label
        >
        <label class="field"
          ><span>新值（JSON 或文字）<span class="req">*</span></span
          ><input type="text" name="value" value="${value}" required
        /></label>
        <div>
          <button type="submit" class="act primary">预览效果</button> <button type="submit" name="save" value="1" class="act">直接保存</button>
        </div>
      </form>
    </section>
    <section class="panel">
      <h2>当前设置</h2>
      <table id="settings">
        ${thead(['设置项', '含义', '生效值', '已设置'])}
        <tbody>
          ${Object.entries(SETTING_HELP).map(([k, meaning]) => {
            const v = valueAt(view, k)
            return html`<tr>
              <td><code>${k}</code></td>
              <td class="wrap">${meaning}</td>
              <td class="wrap"><code>${show(v.effective)}</code></td>
              <td>${v.stored === undefined ? html`<span class="muted">默认</span>` : html`<code>${show(v.stored)}</code>`}</td>
            </tr>`
          })}
        </tbody>
      </table>
    </section>
    <section class="panel">
      <h2>可选预设</h2>
      <table>
        <tbody>
          ${presets().map(
            (p) =>
              html`<tr>
                <td><code>${p.key}</code></td>
                <td><code>${p.value}</code></td>
                <td class="wrap">${p.meaning}</td>
              </tr>`,
          )}
        </tbody>
      </table>
    </section>`
  return frame(c, '设置', '/settings', body)
}

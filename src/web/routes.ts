/**
 * The 挂图作战 pages: sign-in by a link from chat (/login/:token), then 总览 (/), 项目 (/projects, /projects/:id),
 * 赛马 (/board), 一张图 (/map), 台账 (/problems, /problems/:id), 督办 (/supervisions, /supervisions/:id), the
 * actions on them (POST /act, actions.ts), the office's 导入 (/import) and 设置 (/settings), and 退出 (/logout).
 * Every page is rendered here on the server; charts are inline SVG, so nothing is fetched from anywhere but this app.
 *
 * Every POST that changes something comes from a page of ours: the same origin (Sec-Fetch-Site / Origin), the
 * SameSite session cookie, and the session's CSRF token in the form.
 *
 * A sign-in link is opened with GET, which only asks to confirm (chat apps fetch links for previews; a
 * preview must not use up a single-use link), and used by the POST that page sends on its own.
 */
import { Hono, type Context, type MiddlewareHandler } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import type { Db } from '../store/db.ts'
import type { Logger } from '../log.ts'
import { silentLogger } from '../log.ts'
import { sql } from 'drizzle-orm'
import type { Person } from '../store/repos/directory.ts'
import type { Platform } from '../model/index.ts'
import { channelIntake, type Intake, type IntakeDeps } from '../intake/index.ts'
import { WEB_SOURCE } from '../bot/handle.ts'
import { importWorkbook, MAX_WORKBOOK_BYTES, WorkbookError } from '../services/workbook/index.ts'
import { templateWorkbook } from '../services/workbook/template.ts'
import { setConfig, SettingError, showConfig } from '../services/settings.ts'
import { fromBase64, toBase64 } from '../lib/bytes.ts'
import { shanghaiParts } from '../domain/time.ts'
import { csrfToken, readPost, runPost, sameToken, webDecoder, type ActionDeps } from './actions.ts'
import { problemItemPage, supervisionItemPage } from './pages/items.ts'
import { importDonePage, importPage, importPreviewPage, importRefused, settingsPage } from './pages/admin.ts'
import { problemWithNames, supervisionWithNames } from './queries.ts'
import { problemVisible, supervisionVisible } from './pages/ledger.ts'
import { CSS, html, messagePage, type Html } from './html.ts'
import { loginLinkState, redeemLoginLink, revokeSession, revokeSessionsOf, sessionPerson, SESSION_COOKIE } from './session.ts'
import { periodParam, webContext, type WebCtx } from './context.ts'
import { hasAnyRole } from './scope.ts'
import { exportMonth } from '../services/workbook/export.ts'
import { overviewPage } from './pages/overview.ts'
import { projectListPage, projectPage } from './pages/projects.ts'
import { boardPage } from './pages/board.ts'
import { mapPage } from './pages/map.ts'
import { problemsPage, supervisionsPage } from './pages/ledger.ts'
import { bulletinPage, mayReadBulletin } from './pages/bulletin.ts'

export interface WebDeps {
  db: Db
  now: () => Date
  logger?: Logger
  /** Enabled channels: where the messages an action sends to others go (the shared intake's list when given). */
  channels?: string[]
  /** The intake every channel feeds; by default one of its own over these deps (tests). */
  intake?: Intake
  /** The runtime's transaction (the intake's unit of work; 导入 and 设置 run in it too). */
  transact?: IntakeDeps['transact']
  bot?: IntakeDeps['bot']
  /** A full garbage collection on demand (Node), run by 导入 between parsing and writing, as `diaodu import` does. */
  reclaim?: () => void
}

type Env = { Variables: { person: Person; sessionId: number; csrf: string } }

/** Runs `fn` in one transaction: the runtime's, else BEGIN IMMEDIATE … COMMIT on the handle (as /api/import does). */
function serviceTransact(deps: WebDeps): <T>(fn: () => Promise<T>) => Promise<T> {
  if (deps.transact) {
    const t = deps.transact
    return (fn) => t(() => fn())
  }
  return async (fn) => {
    await deps.db.run(sql`BEGIN IMMEDIATE`)
    try {
      const out = await fn()
      await deps.db.run(sql`COMMIT`)
      return out
    } catch (e) {
      await deps.db.run(sql`ROLLBACK`)
      throw e
    }
  }
}

const HEADERS = {
  'Content-Type': 'text/html; charset=utf-8',
  'Cache-Control': 'no-store',
  // The sign-in link is in the URL: never sent to another site as a Referer. (no-referrer would make the browser
  // send `Origin: null` on our own forms, which the check below must refuse.)
  'Referrer-Policy': 'same-origin',
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy':
    "default-src 'none'; style-src 'self' 'unsafe-inline'; script-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'self'; base-uri 'none'",
}

const send = (c: Context, body: Html, status: 200 | 400 | 401 | 403 | 404 | 410 | 413 | 422 = 200) => c.body(body.text, status, HEADERS)

/** The page posts its own confirmation form (a preview bot fetching the GET runs no script). */
const LOGIN_JS = `document.addEventListener('DOMContentLoaded',function(){var f=document.getElementById('go');if(f)f.submit()})`

const NOT_SIGNED_IN = () =>
  messagePage('请先登录', '挂图作战页面通过聊天登录：请在飞书或企业微信中向调度助手发送「驾驶舱」，点开收到的链接即可进入。')

const LINK_REFUSED: Record<'unknown' | 'used' | 'expired', string> = {
  unknown: '这个登录链接无效。',
  used: '这个登录链接已经用过，每个链接只能使用一次。',
  expired: '这个登录链接已过期（30 分钟内有效）。',
}

/** Whether the request came over HTTPS (directly, or through the county's reverse proxy). */
const isHttps = (c: Context) => new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto')?.split(',')[0]?.trim() === 'https'

/** A POST from a page of ours: Sec-Fetch-Site says so (https, localhost), else the Origin is ours (or absent: old browsers). */
function sameOrigin(c: Context): boolean {
  const site = c.req.header('sec-fetch-site')
  if (site) return site === 'same-origin'
  const origin = c.req.header('origin')
  if (!origin || origin === 'null') return origin === undefined
  try {
    return new URL(origin).host === (c.req.header('host') ?? new URL(c.req.url).host)
  } catch {
    return false
  }
}

export function webRoutes(deps: WebDeps): Hono<Env> {
  const app = new Hono<Env>()
  const logger = deps.logger ?? silentLogger
  const platforms: Platform[] = [
    ...new Set((deps.channels ?? ['local']).filter((p): p is Platform => p === 'feishu' || p === 'wecom' || p === 'local')),
  ]
  const intake = channelIntake({ ...deps, logger }, platforms, { [WEB_SOURCE]: webDecoder })
  const actionDeps: ActionDeps = { db: deps.db, now: deps.now, logger, intake, platforms }
  const transact = serviceTransact(deps)

  app.get('/web/app.css', (c) => c.body(CSS, 200, { 'Content-Type': 'text/css; charset=utf-8', 'Cache-Control': 'public, max-age=3600' }))
  app.get('/web/login.js', (c) =>
    c.body(LOGIN_JS, 200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'public, max-age=3600' }),
  )

  app.get('/favicon.ico', (c) => c.body(null, 204))

  app.get('/login/:token', async (c) => {
    const token = c.req.param('token')
    const state = await loginLinkState(deps.db, token, deps.now())
    if (!state.ok) return send(c, messagePage('无法登录', `${LINK_REFUSED[state.reason]}请在聊天中向调度助手重新发送「驾驶舱」获取新链接。`), 410)
    return send(
      c,
      messagePage(
        '正在进入驾驶舱…',
        '正在登录挂图作战页面。如未自动跳转，请点击下面的按钮。',
        html`<form id="go" method="post" action="/login/${token}"><button type="submit">进入驾驶舱</button></form>
          <script src="/web/login.js"></script>`,
      ),
    )
  })

  app.post('/login/:token', async (c) => {
    if (!sameOrigin(c)) return send(c, messagePage('无法登录', '请求来源不符。请直接点开聊天中的链接。'), 403)
    const r = await redeemLoginLink(deps.db, c.req.param('token'), deps.now())
    if (!r.ok) return send(c, messagePage('无法登录', `${LINK_REFUSED[r.reason]}请在聊天中向调度助手重新发送「驾驶舱」获取新链接。`), 410)
    setCookie(c, SESSION_COOKIE, r.sessionToken, {
      httpOnly: true,
      sameSite: 'Lax',
      secure: isHttps(c),
      path: '/',
      expires: r.expiresAt,
    })
    return c.redirect('/', 303)
  })

  const signedIn: MiddlewareHandler<Env> = async (c, next) => {
    const s = await sessionPerson(deps.db, getCookie(c, SESSION_COOKIE), deps.now())
    if (!s) return send(c, NOT_SIGNED_IN(), 401)
    c.set('person', s.person)
    c.set('sessionId', s.sessionId)
    c.set('csrf', csrfToken(getCookie(c, SESSION_COOKIE)!))
    await next()
  }

  const ctxOf = async (c: Context<Env>): Promise<WebCtx> => ({ ...(await webContext(deps.db, c.get('person'), deps.now())), csrf: c.get('csrf') })

  /** A changing POST's checks: from our own page, with the session's token. Returns the form, or the refusal to send. */
  async function postedForm(c: Context<Env>): Promise<Record<string, unknown> | Response> {
    if (!sameOrigin(c)) return send(c, messagePage('操作未执行', '请求来源不符。请在挂图作战页面上操作。'), 403)
    const form = (await c.req.parseBody().catch(() => undefined)) as Record<string, unknown> | undefined
    const token = typeof form?._csrf === 'string' ? form._csrf : ''
    if (!form || !sameToken(token, c.get('csrf')))
      return send(c, messagePage('操作未执行', '页面已过期或来源不符，未作任何更改。请刷新页面后重试。', html`<p><a href="/">返回总览</a></p>`), 403)
    return form
  }

  const officeOnly = (c: Context<Env>) =>
    hasAnyRole(c.get('person'), ['office'])
      ? undefined
      : send(c, messagePage('无权访问', '导入和设置限指挥部办公室使用。', html`<p><a href="/">返回总览</a></p>`), 403)

  app.get('/', signedIn, async (c) => send(c, await overviewPage(await ctxOf(c))))
  app.get('/dashboard', (c) => c.redirect('/', 302))
  app.get('/projects', signedIn, async (c) => send(c, await projectListPage(await ctxOf(c), c.req.query())))
  app.get('/projects/:id', signedIn, async (c) => {
    const id = Number(c.req.param('id'))
    const ctx = await ctxOf(c)
    const body = Number.isSafeInteger(id) ? await projectPage(ctx, id) : undefined
    // Out of scope and missing look the same: nobody learns which project ids exist elsewhere.
    if (!body)
      return send(c, messagePage('未找到项目', '没有这个项目，或它不在您可查看的范围内。', html`<p><a href="/projects">返回项目清单</a></p>`), 404)
    return send(c, body)
  })
  app.get('/board', signedIn, async (c) => send(c, await boardPage(await ctxOf(c), c.req.query())))
  app.get('/map', signedIn, async (c) => send(c, await mapPage(await ctxOf(c), c.req.query())))
  app.get('/problems', signedIn, async (c) => send(c, await problemsPage(await ctxOf(c), c.req.query())))
  app.get('/supervisions', signedIn, async (c) => send(c, await supervisionsPage(await ctxOf(c), c.req.query())))

  const ITEM_MISSING = {
    problem: ['未找到问题', '没有这个问题，或它不在您可查看的范围内。', '/problems', '返回问题台账'],
    supervision: ['未找到督办', '没有这件督办，或它不在您可查看的范围内。', '/supervisions', '返回督办'],
  } as const
  const missing = (c: Context<Env>, kind: 'problem' | 'supervision') => {
    const [title, text, href, back] = ITEM_MISSING[kind]
    return send(c, messagePage(title, text, html`<p><a href="${href}">${back}</a></p>`), 404)
  }
  app.get('/problems/:id', signedIn, async (c) => {
    const id = Number(c.req.param('id'))
    const body = Number.isSafeInteger(id) ? await problemItemPage(await ctxOf(c), actionDeps, id, c.req.query()) : undefined
    return body ? send(c, body) : missing(c, 'problem')
  })
  app.get('/supervisions/:id', signedIn, async (c) => {
    const id = Number(c.req.param('id'))
    const body = Number.isSafeInteger(id) ? await supervisionItemPage(await ctxOf(c), actionDeps, id, c.req.query()) : undefined
    return body ? send(c, body) : missing(c, 'supervision')
  })

  // An action on a 问题 or 督办: the card's command through the intake (actions.ts), then back to the item's page.
  app.post('/act', signedIn, async (c) => {
    const form = await postedForm(c)
    if (form instanceof Response) return form
    const posted = readPost(form)
    if (typeof posted === 'string') return send(c, messagePage('操作未执行', posted, html`<p><a href="/problems">返回问题台账</a></p>`), 400)
    const ctx = await ctxOf(c)
    const { kind, id } = posted.item
    const visible =
      kind === 'problem'
        ? await problemWithNames(deps.db, id).then((r) => r !== undefined && problemVisible(ctx, r))
        : await supervisionWithNames(deps.db, id).then((r) => r !== undefined && supervisionVisible(ctx, r))
    // Nobody acts on what they cannot see; nothing is stored.
    if (!visible) return send(c, messagePage('无权操作', '这一事项不在您可查看的范围内，未作任何更改。', html`<p><a href="/">返回总览</a></p>`), 403)
    await runPost(actionDeps, c.get('person'), posted)
    return c.redirect(`/${kind === 'problem' ? 'problems' : 'supervisions'}/${id}?done=${encodeURIComponent(posted.nonce)}#answer`, 303)
  })

  // 导入: upload → the dry run's diff → 确认导入 (the same bytes), office only.
  app.get('/import', signedIn, async (c) => officeOnly(c) ?? send(c, importPage(await ctxOf(c))))
  app.get('/import/template', signedIn, async (c) => {
    const refused = officeOnly(c)
    if (refused) return refused
    const bytes = await templateWorkbook(shanghaiParts(deps.now()).year)
    return c.body(bytes as Uint8Array<ArrayBuffer>, 200, {
      'Content-Type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'Content-Disposition': `attachment; filename="template.xlsx"; filename*=UTF-8''${encodeURIComponent('项目清单模板.xlsx')}`,
      'Cache-Control': 'no-store',
    })
  })
  const tooLarge = `文件过大：上限 ${MAX_WORKBOOK_BYTES / 1024 / 1024} MB。`
  const runImport = async (c: Context<Env>, bytes: Uint8Array, dryRun: boolean, partial: boolean) =>
    importWorkbook(deps.db, bytes, {
      transact,
      now: deps.now(),
      dryRun,
      partial,
      actorPersonId: c.get('person').id,
      ...(deps.reclaim && { reclaim: deps.reclaim }),
    })
  app.post('/import', signedIn, async (c) => {
    const refused = officeOnly(c)
    if (refused) return refused
    if (Number(c.req.header('content-length') ?? 0) > MAX_WORKBOOK_BYTES + 64 * 1024) return send(c, importRefused(await ctxOf(c), tooLarge), 413)
    const form = await postedForm(c)
    if (form instanceof Response) return form
    const ctx = await ctxOf(c)
    const file = form.file
    if (!(file instanceof File) || file.size === 0) return send(c, importRefused(ctx, '请选择要导入的工作簿文件（.xlsx / .xls / .csv）。'), 400)
    if (file.size > MAX_WORKBOOK_BYTES) return send(c, importRefused(ctx, tooLarge), 413)
    const bytes = new Uint8Array(await file.arrayBuffer())
    try {
      const r = await runImport(c, bytes, true, false)
      return send(c, importPreviewPage(ctx, { name: file.name || '工作簿', bytes, base64: toBase64(bytes) }, r, false))
    } catch (e) {
      if (e instanceof WorkbookError) return send(c, importRefused(ctx, e.message), e.kind === 'tooLarge' ? 413 : 400)
      throw e
    }
  })
  app.post('/import/confirm', signedIn, async (c) => {
    const refused = officeOnly(c)
    if (refused) return refused
    if (Number(c.req.header('content-length') ?? 0) > (MAX_WORKBOOK_BYTES * 4) / 3 + 64 * 1024)
      return send(c, importRefused(await ctxOf(c), tooLarge), 413)
    const form = await postedForm(c)
    if (form instanceof Response) return form
    const ctx = await ctxOf(c)
    const name = typeof form.name === 'string' && form.name ? form.name.slice(0, 200) : '工作簿'
    let bytes: Uint8Array
    try {
      bytes = fromBase64(typeof form.workbook === 'string' ? form.workbook : '')
    } catch {
      bytes = new Uint8Array()
    }
    if (bytes.length === 0) return send(c, importRefused(ctx, '没有收到要导入的文件，请重新上传。'), 400)
    try {
      const r = await runImport(c, bytes, false, form.partial === '1')
      return send(c, importDonePage(ctx, name, r), r.written ? 200 : 422)
    } catch (e) {
      if (e instanceof WorkbookError) return send(c, importRefused(ctx, e.message), e.kind === 'tooLarge' ? 413 : 400)
      throw e
    }
  })

  // 设置: the rules and the dispatch calendar; 预览 first (the effect on the open month), then 保存. Office only.
  app.get('/settings', signedIn, async (c) => officeOnly(c) ?? send(c, settingsPage(await ctxOf(c), await showConfig(deps.db))))
  app.post('/settings', signedIn, async (c) => {
    const refused = officeOnly(c)
    if (refused) return refused
    const form = await postedForm(c)
    if (form instanceof Response) return form
    const ctx = await ctxOf(c)
    const key = typeof form.key === 'string' ? form.key.trim() : ''
    const value = typeof form.value === 'string' ? form.value.trim() : ''
    if (!key || !value) return send(c, settingsPage(ctx, await showConfig(deps.db), { error: '请选择设置项并填写新值。', key, value }), 400)
    try {
      const result = await setConfig(deps.db, transact, key, value, { now: deps.now(), dryRun: form.save !== '1', actorPersonId: c.get('person').id })
      return send(c, settingsPage(ctx, await showConfig(deps.db), { result, key, value }))
    } catch (e) {
      if (e instanceof SettingError) return send(c, settingsPage(ctx, await showConfig(deps.db), { error: e.message, key, value }), 400)
      throw e
    }
  })

  app.get('/bulletin', signedIn, async (c) => {
    const ctx = await ctxOf(c)
    if (!mayReadBulletin(ctx))
      return send(c, messagePage('无权查看', '月度通报限县领导和指挥部办公室查看。', html`<p><a href="/">返回总览</a></p>`), 403)
    return send(c, await bulletinPage(ctx, c.req.query()))
  })

  // The 通报 workbook (diaodu export, GET /api/export) for the office signed in here.
  app.get('/export', signedIn, async (c) => {
    const ctx = await ctxOf(c)
    if (!hasAnyRole(ctx.person, ['office'])) return send(c, messagePage('无权下载', '通报工作簿限指挥部办公室下载。'), 403)
    const period = periodParam(ctx, c.req.query('period'))
    const bytes = await exportMonth(deps.db, period, deps.now())
    return c.body(bytes as Uint8Array<ArrayBuffer>, 200, {
      'Content-Type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'Content-Disposition': `attachment; filename="${period}.xlsx"; filename*=UTF-8''${encodeURIComponent(`${period}调度通报.xlsx`)}`,
      'Cache-Control': 'no-store',
    })
  })

  app.get('/logout', signedIn, (c) =>
    send(
      c,
      messagePage(
        '退出登录',
        `${c.get('person').name}，确定退出挂图作战页面吗？`,
        html`<form method="post" action="/logout">
            <button type="submit">退出本设备</button> <button type="submit" name="all" value="1">退出所有设备</button>
          </form>
          <p><a href="/">返回总览</a></p>`,
      ),
    ),
  )
  app.post('/logout', signedIn, async (c) => {
    if (!sameOrigin(c)) return send(c, messagePage('无法退出', '请求来源不符。'), 403)
    const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>)
    const n =
      form.all === '1'
        ? await revokeSessionsOf(deps.db, c.get('person').id, deps.now())
        : (await revokeSession(deps.db, c.get('sessionId'), deps.now()), 1)
    deleteCookie(c, SESSION_COOKIE, { path: '/', secure: isHttps(c) })
    return send(c, messagePage('已退出', `已退出${n > 1 ? ` ${n} 个设备上的` : ''}挂图作战页面。需要时请在聊天中重新发送「驾驶舱」。`))
  })
  return app
}

/**
 * The 挂图作战 pages: sign-in by a link from chat (/login/:token), then 总览 (/), 项目 (/projects, /projects/:id),
 * 赛马 (/board), 一张图 (/map), 台账 (/problems), 督办 (/supervisions) and 退出 (/logout). Every page is rendered
 * here on the server; charts are inline SVG, so nothing is fetched from anywhere but this app.
 *
 * A sign-in link is opened with GET, which only asks to confirm (chat apps fetch links for previews; a
 * preview must not use up a single-use link), and used by the POST that page sends on its own.
 */
import { Hono, type Context, type MiddlewareHandler } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import type { Db } from '../store/db.ts'
import type { Person } from '../store/repos/directory.ts'
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
}

type Env = { Variables: { person: Person; sessionId: number } }

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

const send = (c: Context, body: Html, status: 200 | 401 | 403 | 404 | 410 = 200) => c.body(body.text, status, HEADERS)

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
    await next()
  }

  const ctxOf = (c: Context<Env>): Promise<WebCtx> => webContext(deps.db, c.get('person'), deps.now())

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

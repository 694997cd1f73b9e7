/**
 * `GET /r/<token>`: the form page of a form link; `POST /r/<token>`: the submission, as the card's own submit
 * would be — a card action (the form's submit command and arguments, the fields as its form) from the person the
 * link was sent to, through the shared intake, so the checks, the 请确认 step, versions and the audit trail are
 * the chat's. The link is spent when the bot accepts the submission (it answers with a new card: the receipt),
 * which is also sent to the person's chat; a refusal shows its reason above the form, values kept, link open. A
 * question about the figures (本月 and the rise in 累计 disagree: the card's 请核对) is asked on the page as well,
 * its answers (本月数正确 / 累计数正确) posting `_trust` to the same link: the card's 'confirm' button, as in chat.
 *
 * Answers carry `Cache-Control: no-store` and `Referrer-Policy: no-referrer` (the token is in the URL).
 * Runtime-agnostic.
 *
 * @example
 *   app.route('/', formRoutes({ db, logger, now, intake, platforms: ['wecom'] }))
 */
import { Hono } from 'hono'
import type { Context } from 'hono'
import type { Db } from '../store/db.ts'
import type { Logger } from '../log.ts'
import type { InboundEvent, OutboundMessage, Platform } from '../model/index.ts'
import type { Intake } from '../intake/index.ts'
import { enqueue } from '../outbox/enqueue.ts'
import { replyKey } from '../outbox/keys.ts'
import { openFormLink, spendFormLink, type FormLinkData } from './links.ts'
import { answerPage, formPage, type Confirmation } from './page.ts'

export const FORM_PATH = '/r'

/** The answers of the 请核对 question a page can give (the 'confirm' command's `trust`). */
const TRUST = new Set(['period', 'ytd'])

/** The question and answers of a 请核对 card among the bot's messages (buttons running 'confirm' with a trust). */
function confirmationOf(messages: OutboundMessage[]): Confirmation | undefined {
  for (const m of messages) {
    if (m.body.kind !== 'card') continue
    const buttons = m.body.card.elements.flatMap((e) => (e.kind === 'actions' ? e.buttons : []))
    const choices = buttons.flatMap((b) =>
      b.command === 'confirm' && TRUST.has(String(b.args?.trust)) ? [{ label: b.label, trust: String(b.args!.trust) }] : [],
    )
    if (!choices.length) continue
    const question = m.body.card.elements.flatMap((e) => (e.kind === 'markdown' || e.kind === 'note' ? [e.text] : [])).join('\n')
    return { question: question || m.body.card.title, choices }
  }
  return undefined
}

/** How long the page waits for the bot's answer. */
const WAIT_MS = 10_000
const MAX_FIELD = 2000

export interface FormRouteDeps {
  db: Db
  logger: Logger
  now: () => Date
  intake: Intake
  /** Platforms replies may go on (the receipt to the chat). */
  platforms: Platform[]
}

/** A stored form submission back into its event (resume, retry): what `storedForm` kept. */
export function decodeStoredForm(s: { form?: unknown }, receivedAt: Date): InboundEvent | undefined {
  const f = s.form as Omit<Extract<InboundEvent, { type: 'card_action' }>, 'receivedAt'> | undefined
  if (!f || typeof f !== 'object' || f.type !== 'card_action') return undefined
  return { ...f, receivedAt }
}

function headers(c: Context) {
  c.header('Cache-Control', 'no-store')
  c.header('Referrer-Policy', 'no-referrer')
  c.header('X-Frame-Options', 'DENY')
}

export function formRoutes(deps: FormRouteDeps) {
  const app = new Hono()

  app.get(`${FORM_PATH}/:token`, async (c) => {
    headers(c)
    const opened = await openFormLink(deps.db, c.req.param('token'), deps.now().getTime())
    if (!opened.ok) return c.html(answerPage('填报', 'err', opened.reason), opened.status)
    return c.html(formPage(opened.link.data, crypto.randomUUID()))
  })

  app.post(`${FORM_PATH}/:token`, async (c) => {
    headers(c)
    const at = deps.now()
    const opened = await openFormLink(deps.db, c.req.param('token'), at.getTime())
    if (!opened.ok) return c.html(answerPage('填报', 'err', opened.reason), opened.status)
    const { link } = opened
    const d: FormLinkData = link.data
    const posted = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>)
    const nonce = typeof posted._nonce === 'string' && /^[\w-]{8,64}$/.test(posted._nonce) ? posted._nonce : crypto.randomUUID()
    const values: Record<string, string> = {}
    for (const i of d.form.inputs) {
      const v = posted[i.name]
      if (typeof v === 'string' && v.trim()) values[i.name] = v.trim().slice(0, MAX_FIELD)
    }
    // An answer to the page's question (本月数正确 / 累计数正确) is the card's 'confirm' button, as in chat.
    const trust = typeof posted._trust === 'string' && TRUST.has(posted._trust) ? posted._trust : undefined
    const id = `form:${link.id}:${nonce}`
    const chat = { platform: d.to.platform, chatId: d.to.userId, kind: 'direct' as const }
    const event: Extract<InboundEvent, { type: 'card_action' }> = {
      id,
      platform: d.to.platform,
      receivedAt: at,
      type: 'card_action',
      sender: { platform: d.to.platform, userId: d.to.userId },
      chat,
      ...(trust
        ? { command: 'confirm' as const, args: { trust } }
        : { command: d.form.submit.command, args: { ...(d.form.submit.args ?? {}) }, form: values }),
    }
    const { receivedAt: _, ...kept } = event
    const r = await deps.intake.accept({ platform: d.to.platform, dedupeKey: id, raw: JSON.stringify({ form: kept }), event }, { waitMs: WAIT_MS })
    if (r.kind === 'duplicate') return c.html(answerPage(d.title, 'warn', '这次提交已经收到，请勿重复提交。结果会发到您的企业微信。'))
    if (r.kind !== 'answered') return c.html(answerPage(d.title, 'err', '提交没有被处理，请稍后重试。'), 500)
    if (r.late) return c.html(answerPage(d.title, 'warn', '已收到，正在处理：结果稍后发到您的企业微信。'))
    const result = r.result
    if (!result)
      return c.html(
        formPage(d, crypto.randomUUID(), {
          values,
          message: { kind: 'err', text: '处理出错，没有登记。请稍后再试，或直接在企业微信中回复文字填报。' },
        }),
        500,
      )
    const toast = result.toast
    if (result.updateCard && toast?.kind !== 'error') {
      await spendFormLink(deps.db, link.id, at.getTime())
      // The receipt also goes to the chat, where the person reported from.
      await enqueue(
        deps.db,
        { platforms: deps.platforms },
        [{ to: { kind: 'chat', chat }, body: { kind: 'card', card: result.updateCard } }],
        at.getTime(),
        () => replyKey(d.to.platform, id, 900),
      ).catch((e: unknown) => deps.logger.error('form receipt not queued', { error: e instanceof Error ? e.message : String(e) }))
      const card = result.updateCard
      const lines = card.elements.flatMap((e) => (e.kind === 'fields' ? e.fields.map((f) => `${f.label}：${f.value}`) : []))
      return c.html(answerPage(card.title, 'ok', toast?.text ?? '已提交', lines))
    }
    // A question about the figures (the card's 请核对): asked on the page too, its answers as buttons.
    const confirm = confirmationOf(result.messages)
    if (confirm) return c.html(formPage(d, crypto.randomUUID(), { values, confirm }))
    // A refusal, or a question (请确认) sent to the chat: the link stays open for a corrected submission.
    const kind = toast?.kind === 'error' ? 'err' : 'warn'
    const said = result.messages.flatMap((m) => (m.body.kind === 'text' ? [m.body.text] : [])).join('\n')
    const text = toast?.kind === 'warning' && result.messages.length ? `${toast.text}：请在企业微信中查看并确认。` : said || toast?.text || '未登记'
    return c.html(formPage(d, crypto.randomUUID(), { values, message: { kind, text } }), kind === 'err' ? 422 : 200)
  })
  return app
}

/**
 * Who an account is. Identity comes from the platform's directory (by the roster's mobiles) or from the
 * office — never from what a user types (issue 11):
 *
 * - `resolveIdentities` asks the platform directory which account has each roster mobile and binds the ones
 *   it knows. It does network I/O, so it runs outside the bot's transaction: at start-up, from
 *   `diaodu bind --sync`, or (`firstContactResolver`) by a channel before it hands an unknown account's
 *   event to the intake.
 * - 「绑定 手机号」 from an unbound account only files a request: the office gets a card with 同意 / 拒绝 and
 *   the requester learns nothing about whose mobile it is until the office agreed.
 * - 「绑定 手机号 验证码」 binds with a one-time code the office printed (`diaodu bind --code --mobile …`).
 * - A chat never replaces a binding: an account already bound, or a person already bound on that platform,
 *   stays as is (changing it is `diaodu bind --user` on the server). Attempts are limited per account
 *   (5 an hour), counted in the database.
 */
import type { BotContext } from './context.ts'
import type { BotResult, Card, ChatRef, OutboundMessage, Platform, PlatformUser } from '../model/index.ts'
import type { Db } from '../store/db.ts'
import {
  bindApprovers,
  bindAttemptsSince,
  bindIfFree,
  bindRequestById,
  decideBindRequest,
  identityOfPerson,
  pendingBindRequest,
  personById,
  personByIdentity,
  personByMobile,
  recordBindRequest,
  supersedeBindRequests,
  unboundWithMobile,
  unitById,
  useBindCode,
  type BindRequest,
  type Person,
} from '../store/repos/directory.ts'
import { recordAudit } from '../store/repos/audit.ts'
import { formatDeadline } from '../cards/conversation.ts'
import { commandKeys } from '../outbox/keys.ts'

/** Attempts of one account per window before 「绑定」 is refused for a while. */
export const BIND_ATTEMPTS_PER_HOUR = 5
const HOUR_MS = 3600_000
/** How long a code from `diaodu bind --code` is valid. */
export const BIND_CODE_VALID_MS = 72 * HOUR_MS

export const BIND_HINT =
  '您好，我是调度助手。首次使用请绑定身份：发送「绑定 手机号」，例如「绑定 13912345678」（手机号须与{office}登记的一致），{office}确认后即可使用；如办公室给了您验证码，请发送「绑定 手机号 验证码」。'
export const BIND_SUBMITTED = '已提交绑定申请，等待{office}确认。确认后我会通知您；如长时间未确认，请联系{office}。'
export const BIND_LIMITED = '绑定尝试次数过多，请一小时后再试，或联系{office}。'
const BAD_FORMAT = '手机号格式不对。请发送「绑定 手机号」，例如「绑定 13912345678」；有验证码时发送「绑定 手机号 验证码」。'
const BAD_CODE = '手机号或验证码不正确，或验证码已过期、已使用。请向{office}核对。'

/** A runtime's transaction (the intake's `Transact`; not imported: the intake depends on the bot). */
type Transact = <T>(fn: () => Promise<T>) => Promise<T>

const PLATFORM_LABELS: Record<Platform, string> = { feishu: '飞书', wecom: '企业微信', local: '本地' }

/** What a 「绑定 …」 carries: a mobile, and a 6-digit code when the office gave one. */
export function typedBind(args: Record<string, unknown>): { mobile: string; code?: string } | null {
  if (typeof args.mobile === 'string' && /^1[3-9]\d{9}$/.test(args.mobile)) return { mobile: args.mobile }
  const raw = typeof args.raw === 'string' ? args.raw : ''
  const m = /^(?:\+?86)?(1[3-9]\d{9})\s*[,，]?\s*(?:验证码|校验码|code)?\s*[:：]?\s*(\d{6})$/i.exec(raw.replace(/[\-—–]/g, '').trim())
  return m ? { mobile: m[1]!, code: m[2]! } : null
}

function say(chat: ChatRef, text: string, extra: OutboundMessage[] = []): BotResult {
  return { messages: [{ to: { kind: 'chat', chat }, body: { kind: 'text', text } }, ...extra] }
}

/** The requester's own chat: the direct chat they wrote from, or their account when they wrote in a group. */
function requesterChat(platform: Platform, chatId: string): ChatRef {
  return { platform, chatId, kind: 'direct' }
}

const personLine = async (db: Db, p: Person) => {
  const unit = p.unitId === null ? undefined : await unitById(db, p.unitId)
  return `${p.name}${p.title ? `（${p.title}${unit ? `，${unit.name}` : ''}）` : unit ? `（${unit.name}）` : ''}`
}

/** The card the office gets for a request; with 同意 / 拒绝 only when the request can be approved. */
export async function bindRequestCard(db: Db, req: BindRequest, opts: { decided?: string; alert?: string } = {}): Promise<Card> {
  const person = req.personId === null ? undefined : await personById(db, req.personId)
  const account = `${PLATFORM_LABELS[req.platform]}${req.accountName ? ` ${req.accountName}` : ''}（${req.userId}）`
  const fields = [
    { label: '申请账号', value: account },
    { label: '填写手机号', value: req.mobile },
    { label: '名册人员', value: person ? await personLine(db, person) : '名册中没有该手机号' },
    { label: '申请时间', value: formatDeadline(req.createdAt) },
  ]
  const elements: Card['elements'] = [{ kind: 'fields', fields }]
  if (opts.alert) elements.push({ kind: 'markdown', text: opts.alert })
  if (opts.decided) elements.push({ kind: 'note', text: opts.decided })
  else if (req.state === 'pending') {
    elements.push({ kind: 'note', text: '请先与本人电话核实，确认该账号是本人使用后再同意。同意后该账号即以此身份使用调度助手。' })
    elements.push({
      kind: 'actions',
      buttons: [
        { label: '同意', style: 'primary', command: 'approveBind', args: { requestId: req.id } },
        { label: '拒绝', style: 'danger', command: 'rejectBind', args: { requestId: req.id } },
      ],
    })
  }
  return {
    template: 'bind-request',
    colour: opts.decided ? 'grey' : opts.alert ? 'red' : 'orange',
    title: opts.alert ? '绑定异常提醒' : '身份绑定申请',
    elements,
  }
}

async function toOffice(db: Db, card: Card): Promise<OutboundMessage[]> {
  return (await bindApprovers(db)).map((p) => ({ to: { kind: 'person', personId: p.id }, body: { kind: 'card', card } }))
}

/** 「绑定 …」 from an account nobody is bound to. Never binds on a typed mobile alone; never names anyone. */
export async function bindFromChat(ctx: BotContext, sender: PlatformUser, chat: ChatRef, args: Record<string, unknown>): Promise<BotResult> {
  const { db, now } = ctx
  const at = now.getTime()
  const typed = typedBind(args)
  if (!typed) return say(chat, BAD_FORMAT)
  const { platform, userId } = sender
  if ((await bindAttemptsSince(db, platform, userId, at - HOUR_MS)) >= BIND_ATTEMPTS_PER_HOUR) return say(chat, BIND_LIMITED)
  const person = await personByMobile(db, typed.mobile)
  const replyTo = chat.kind === 'direct' ? chat.chatId : userId
  const base = { platform, userId, chatId: replyTo, accountName: sender.name ?? null, mobile: typed.mobile, at }

  if (typed.code) {
    if (!person || !(await useBindCode(db, person.id, typed.code, at, `${platform}:${userId}`))) {
      await recordBindRequest(db, { ...base, personId: person?.id ?? null, state: 'badcode' })
      return say(chat, BAD_CODE)
    }
    const outcome = await bindIfFree(db, person.id, platform, userId, at)
    if (outcome === 'bound' || outcome === 'already') {
      const req = await recordBindRequest(db, { ...base, personId: person.id, state: 'code' })
      await supersedeBindRequests(db, { platform, userId, except: req.id }, at)
      await recordAudit(db, {
        at,
        actorPersonId: person.id,
        entity: 'bind_request',
        entityId: req.id,
        action: 'bind_code',
        before: null,
        after: { platform, userId },
      })
      return say(chat, `绑定成功：${person.name}。发送「帮助」查看可用命令。`)
    }
    const req = await recordBindRequest(db, { ...base, personId: person.id, state: 'held' })
    return say(
      chat,
      '验证码正确，但该人员已绑定其他账号，未改绑。如需更换，请联系{office}。',
      await toOffice(db, await bindRequestCard(db, req, { alert: heldAlert(req) })),
    )
  }

  if (!person) {
    const req = await recordBindRequest(db, { ...base, personId: null, state: 'unmatched' })
    const card = await bindRequestCard(db, req, {
      decided: '名册中没有该手机号，无法绑定。如为本县人员，请先在名册中登记手机号，再请本人重新发送「绑定 手机号」。',
    })
    return say(chat, BIND_SUBMITTED, await toOffice(db, card))
  }
  if (await identityOfPerson(db, person.id, platform)) {
    // Someone else's mobile, or the person on a new account: either way the office decides, on the server.
    const req = await recordBindRequest(db, { ...base, personId: person.id, state: 'held' })
    return say(chat, BIND_SUBMITTED, await toOffice(db, await bindRequestCard(db, req, { alert: heldAlert(req) })))
  }
  if (await pendingBindRequest(db, platform, userId, person.id)) {
    await recordBindRequest(db, { ...base, personId: person.id, state: 'repeat' })
    return say(chat, BIND_SUBMITTED)
  }
  const req = await recordBindRequest(db, { ...base, personId: person.id, state: 'pending' })
  const office = await toOffice(db, await bindRequestCard(db, req))
  if (!office.length) ctx.logger.warn('bind request with no office person to confirm it', { requestId: req.id })
  return say(chat, BIND_SUBMITTED, office)
}

function heldAlert(req: BindRequest): string {
  const label = PLATFORM_LABELS[req.platform]
  return (
    `该人员已绑定${label}账号，本次申请**不会**改绑。若不是本人操作，可能有人冒用其手机号。` +
    `如确需更换为此账号，请在服务器上运行：\`diaodu bind --mobile ${req.mobile} --platform ${req.platform} --user ${req.userId}\``
  )
}

const STATE_LABELS: Partial<Record<BindRequest['state'], string>> = { approved: '已同意', rejected: '已拒绝', superseded: '已作废' }

/** 同意 on a request card (office only, checked by the registry entry). */
export async function approveBind(ctx: BotContext, office: Person, requestId: number): Promise<BotResult & { text: string }> {
  const { db, now } = ctx
  const at = now.getTime()
  const req = await bindRequestById(db, requestId)
  if (!req || req.personId === null) return answer('没有找到这条绑定申请。', 'error')
  if (req.state !== 'pending')
    return answer(
      `该申请${STATE_LABELS[req.state] ?? '已处理'}，无需再处理。`,
      'info',
      await bindRequestCard(db, req, { decided: STATE_LABELS[req.state] ?? '已处理' }),
    )
  const person = (await personById(db, req.personId))!
  const outcome = await bindIfFree(db, person.id, req.platform, req.userId, at)
  if (outcome === 'accountTaken') {
    await decideBindRequest(db, req.id, 'superseded', office.id, at)
    return answer('该账号已绑定为其他人员，申请已作废。', 'warning', await bindRequestCard(db, req, { decided: '已作废：该账号已绑定其他人员' }))
  }
  if (outcome === 'personTaken') {
    await decideBindRequest(db, req.id, 'superseded', office.id, at)
    return answer(
      `${person.name} 已绑定其他${PLATFORM_LABELS[req.platform]}账号，未改绑。`,
      'warning',
      await bindRequestCard(db, req, { decided: '已作废', alert: heldAlert(req) }),
    )
  }
  await decideBindRequest(db, req.id, 'approved', office.id, at)
  await supersedeBindRequests(db, { platform: req.platform, userId: req.userId }, at)
  await supersedeBindRequests(db, { platform: req.platform, personId: person.id }, at)
  await recordAudit(db, {
    at,
    actorPersonId: office.id,
    entity: 'bind_request',
    entityId: req.id,
    action: 'approve',
    before: null,
    after: { personId: person.id, platform: req.platform, userId: req.userId },
  })
  const toRequester: OutboundMessage = {
    to: { kind: 'chat', chat: requesterChat(req.platform, req.chatId) },
    body: { kind: 'text', text: `{office}已确认您的绑定：${person.name}。发送「帮助」查看可用命令。` },
    key: commandKeys.bindDecided(req.id, 'approved'),
  }
  const r = answer(
    `已同意：${PLATFORM_LABELS[req.platform]}账号已绑定为 ${person.name}。`,
    'success',
    await bindRequestCard(db, { ...req, state: 'approved' }, { decided: `已同意（${office.name}，${formatDeadline(at)}）` }),
  )
  return { ...r, messages: [toRequester] }
}

/** 拒绝 on a request card. */
export async function rejectBind(ctx: BotContext, office: Person, requestId: number): Promise<BotResult & { text: string }> {
  const { db, now } = ctx
  const at = now.getTime()
  const req = await bindRequestById(db, requestId)
  if (!req) return answer('没有找到这条绑定申请。', 'error')
  if (!(await decideBindRequest(db, req.id, 'rejected', office.id, at))) {
    return answer(
      `该申请${STATE_LABELS[req.state] ?? '已处理'}，无需再处理。`,
      'info',
      await bindRequestCard(db, req, { decided: STATE_LABELS[req.state] ?? '已处理' }),
    )
  }
  await recordAudit(db, {
    at,
    actorPersonId: office.id,
    entity: 'bind_request',
    entityId: req.id,
    action: 'reject',
    before: null,
    after: { platform: req.platform, userId: req.userId },
  })
  const toRequester: OutboundMessage = {
    to: { kind: 'chat', chat: requesterChat(req.platform, req.chatId) },
    body: { kind: 'text', text: '您的绑定申请未通过。如有疑问，请联系{office}。' },
    key: commandKeys.bindDecided(req.id, 'rejected'),
  }
  const r = answer(
    '已拒绝该绑定申请。',
    'success',
    await bindRequestCard(db, { ...req, state: 'rejected' }, { decided: `已拒绝（${office.name}，${formatDeadline(at)}）` }),
  )
  return { ...r, messages: [toRequester] }
}

function answer(text: string, kind: 'success' | 'info' | 'warning' | 'error', card?: Card): BotResult & { text: string } {
  return { text, toast: { kind, text }, messages: [], ...(card && { updateCard: card }) }
}

// ---------------------------------------------------------------------------------------------------------
// The platform directory

/** One lookup of mobiles in a platform's directory. Unknown mobiles come back without a userId. */
export type DirectoryLookup = { ok: true; users: { mobile: string; userId?: string }[] } | { ok: false; reason: string; retryable?: boolean }

/** A platform's directory by mobile (Feishu: contact/v3 users/batch_get_id, scope contact:user.id:readonly). */
export interface Directory {
  platform: Platform
  /** At most `batchSize` mobiles per call (Feishu: 50). */
  batchSize?: number
  userIdsByMobile(mobiles: string[]): Promise<DirectoryLookup>
}

export interface SyncReport {
  platform: Platform
  /** Mobiles asked about. */
  looked: number
  bound: { personId: number; name: string; userId: string }[]
  /** Roster people the directory does not know (not in the app's range, or another mobile there). */
  notFound: { personId: number; name: string }[]
  /** Directory answers we did not apply: the account is bound to someone else, or the person got bound meanwhile. */
  conflicts: { personId: number; name: string; userId: string; reason: 'accountTaken' | 'personTaken' }[]
  /** Set when the directory could not be asked (no permission, no network…): nothing was bound from then on. */
  failed?: string
}

/**
 * Binds every roster person (without an account on the directory's platform) whose mobile the directory knows.
 * Network first, then the writes (in one transaction when `transact` is given); never replaces a binding.
 */
export async function resolveIdentities(
  db: Db,
  directory: Directory,
  opts: { now: Date; mobiles?: string[]; transact?: Transact },
): Promise<SyncReport> {
  const { platform } = directory
  let candidates = await unboundWithMobile(db, platform)
  if (opts.mobiles) {
    const wanted = new Set(opts.mobiles)
    candidates = candidates.filter((p) => wanted.has(p.mobile!))
  }
  const report: SyncReport = { platform, looked: 0, bound: [], notFound: [], conflicts: [] }
  const found = new Map<string, string>()
  const size = Math.max(1, directory.batchSize ?? 50)
  for (let i = 0; i < candidates.length; i += size) {
    const mobiles = candidates.slice(i, i + size).map((p) => p.mobile!)
    const r = await directory.userIdsByMobile(mobiles)
    if (!r.ok) {
      report.failed = r.reason
      break
    }
    report.looked += mobiles.length
    for (const u of r.users) if (u.userId && mobiles.includes(u.mobile)) found.set(u.mobile, u.userId)
  }
  const write = async () => {
    const at = opts.now.getTime()
    for (const p of candidates.slice(0, report.looked)) {
      const userId = found.get(p.mobile!)
      if (!userId) {
        report.notFound.push({ personId: p.id, name: p.name })
        continue
      }
      const outcome = await bindIfFree(db, p.id, platform, userId, at)
      if (outcome === 'bound' || outcome === 'already') {
        report.bound.push({ personId: p.id, name: p.name, userId })
        await supersedeBindRequests(db, { platform, userId }, at)
        await supersedeBindRequests(db, { platform, personId: p.id }, at)
      } else report.conflicts.push({ personId: p.id, name: p.name, userId, reason: outcome })
    }
  }
  await (opts.transact ? opts.transact(write) : write())
  return report
}

/** The sync as lines for a person (CLI, logs). */
export function formatSyncReport(r: SyncReport): string {
  const lines = [
    `通讯录同步（${PLATFORM_LABELS[r.platform]}）：查询 ${r.looked} 个手机号，新绑定 ${r.bound.length} 人，未找到 ${r.notFound.length} 人，冲突 ${r.conflicts.length} 个。`,
  ]
  for (const b of r.bound) lines.push(`  已绑定 ${b.name} → ${b.userId}`)
  for (const c of r.conflicts)
    lines.push(`  未绑定 ${c.name}：${c.reason === 'accountTaken' ? '该账号已绑定其他人员' : '该人员已绑定其他账号'}（${c.userId}）`)
  if (r.failed) lines.push(`  通讯录查询失败：${r.failed}（需要权限 contact:user.id:readonly，且人员在应用可用范围内）`)
  return lines.join('\n')
}

/**
 * For a channel: before handing an event from an account nobody is bound to to the intake, sync the directory
 * (at most once per `minIntervalMs`), so a person the directory knows is recognised on their first message.
 * Resolves to true when the account is bound afterwards. Never throws (a failed lookup is logged by the caller
 * from the report, and the event goes on to the bot, which asks the person to bind).
 */
export function firstContactResolver(
  db: Db,
  directory: Directory,
  opts: { now?: () => Date; minIntervalMs?: number; transact?: Transact; onReport?: (r: SyncReport) => void } = {},
) {
  const now = opts.now ?? (() => new Date())
  const interval = opts.minIntervalMs ?? 10 * 60_000
  let last = -Infinity
  let running: Promise<unknown> | undefined
  return async (sender: PlatformUser): Promise<boolean> => {
    if (sender.platform !== directory.platform) return false
    if (await personByIdentity(db, sender.platform, sender.userId)) return true
    const t = now().getTime()
    if (!running && t - last >= interval) {
      last = t
      running = resolveIdentities(db, directory, { now: now(), ...(opts.transact && { transact: opts.transact }) })
        .then((r) => opts.onReport?.(r))
        .catch(() => undefined)
        .finally(() => (running = undefined))
    }
    if (running) await running
    return Boolean(await personByIdentity(db, sender.platform, sender.userId))
  }
}

/**
 * The outbox sender against the fake Feishu open API over real HTTP on 127.0.0.1. The fake and the sender
 * share a manual clock, so a minute of rate limiting takes milliseconds while the fake still enforces 50/s,
 * 1000/min and 5/s per receiver on that clock, with Feishu's real error codes.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { drainOutbox, codeOf, rateLimitOf, type SendOutcome } from '../../src/outbox/sender.ts'
import { claimDue } from '../../src/store/repos/outbox.ts'
import { createLimiter } from '../../src/outbox/limits.ts'
import { localOutboxSender } from '../../src/channels/local/outbox.ts'
import { enqueue } from '../../src/outbox/enqueue.ts'
import { openNodeDatabase } from '../../src/runtime/node/sqlite.ts'
import { manualClock } from '../../src/outbox/clock.ts'
import { tempDbPath } from '../jobs/helpers.ts'
import { maxInWindow, statuses, text, world, type World } from './helpers.ts'
import type { OutboxRow } from '../../src/store/repos/outbox.ts'
import { replyKey } from '../../src/outbox/keys.ts'
import { DEFAULT_DISPATCH } from '../../src/domain/dispatch.ts'
import { quietHoursHold } from '../../src/outbox/quiet.ts'
import { shanghaiTime } from '../../src/domain/time.ts'
import { createSdkSender } from '../../src/channels/feishu/sdk.ts'
import { feishuOutboxSender } from '../../src/channels/feishu/outbox.ts'
import { createPauses } from '../../src/outbox/pause.ts'
import { APP } from './helpers.ts'

let w: World | undefined
afterEach(() => {
  w?.close()
  w = undefined
})

const sends = (f: World['fake']) => f.sent.filter((s) => s.kind === 'send')
const answers = (f: World['fake'], code: number) => f.requests.filter((r) => r.code === code).length

describe('drainOutbox', () => {
  it('keeps under 50/s, 1000/min and 5/s per receiver while reaching ≥ 90 % of the binding limit', async () => {
    w = await world({ users: 260, groups: 2 })
    const msgs = w.users.flatMap((u, i) => [0, 1, 2, 3, 4].map((k) => text(u, `open:monthly:2026-11:p${k}:u${i}`)))
    msgs.push(
      ...[0, 1].flatMap((g) =>
        Array.from({ length: 20 }, (_, k) => ({
          to: { kind: 'group' as const, groupId: w!.groups[g]! },
          key: `board:${g}:${k}`,
          body: { kind: 'text' as const, text: '赛马比拼' },
        })),
      ),
    )
    await w.queue(msgs)
    // One send at a time: on the manual clock, time jumps while a request is on the wire, which would
    // model minutes of network jitter (bench/fanout.ts runs 8 at a time on the real clock).
    const stats = await drainOutbox(w.db, w.senders, w.clock, { waitMs: 600_000, concurrency: 1 })
    expect(stats.sent).toBe(msgs.length)
    expect(statuses(w)).toEqual({ sent: msgs.length })
    expect(answers(w.fake, 99991400) + answers(w.fake, 230020)).toBe(0)
    const times = sends(w.fake).map((s) => s.at)
    expect(maxInWindow(times, 1000)).toBeLessThanOrEqual(50)
    expect(maxInWindow(times, 60_000)).toBeLessThanOrEqual(1000)
    const byChat = new Map<string, number[]>()
    for (const s of sends(w.fake)) byChat.set(s.chatId, [...(byChat.get(s.chatId) ?? []), s.at])
    expect(Math.max(...[...byChat.values()].map((t) => maxInWindow(t, 1000)))).toBeLessThanOrEqual(5)
    const perSecond = (msgs.length - 1) / ((Math.max(...times) - Math.min(...times)) / 1000)
    expect(perSecond / (1000 / 60)).toBeGreaterThanOrEqual(0.9)
    expect(new Set(sends(w.fake).map((s) => s.uuid)).size).toBe(msgs.length)
  }, 60_000)

  it('holds a 催办 whose retry falls in the quiet hours until 07:30, while a reply still goes at once', async () => {
    w = await world({ users: 2 })
    w.clock.advance(shanghaiTime(2026, 11, 25, 21, 58).getTime() - w.clock.now())
    await w.queue([text(w.users[0]!, 'overdue:monthly:2026-11:p1:u0'), text(w.users[1]!, replyKey('feishu', 'ev_late_night', 0), '已收到您的填报')])
    // Feishu says "too many, come back in 3 minutes": both rows wait until 22:01.
    w.fake.failNext({
      status: 429,
      code: 99991400,
      msg: 'request trigger frequency limit',
      headers: { 'x-ogw-ratelimit-reset': '180', 'x-ogw-ratelimit-limit': '50' },
      pathPrefix: '/open-apis/im',
    })
    const hold = quietHoursHold(DEFAULT_DISPATCH)
    const night = await drainOutbox(w.db, w.senders, w.clock, { waitMs: 600_000, concurrency: 1, holdUntil: hold })
    expect(night).toMatchObject({ sent: 1, rateLimited: 1, held: 1, failed: 0 })
    expect(sends(w.fake).map((m) => m.receiveId)).toEqual(['ou_user1'])
    const morning = shanghaiTime(2026, 11, 26, 7, 30).getTime()
    expect(w.sqlite.prepare(`select status, next_attempt_at as due, attempts from outbox where key like 'overdue:%'`).get()).toEqual({
      status: 'pending',
      due: morning,
      attempts: 0,
    })
    w.clock.advance(morning - w.clock.now())
    expect(await drainOutbox(w.db, w.senders, w.clock, { holdUntil: hold })).toMatchObject({ sent: 1, held: 0 })
    expect(sends(w.fake).map((m) => m.receiveId)).toEqual(['ou_user1', 'ou_user0'])
  })

  it('retries a 429 (99991400) only after x-ogw-ratelimit-reset, pausing the whole app', async () => {
    w = await world({ users: 3 })
    await w.queue(w.users.map((u, i) => text(u, `remind:${i}`)))
    w.fake.failNext({
      status: 429,
      code: 99991400,
      msg: 'request trigger frequency limit',
      headers: { 'x-ogw-ratelimit-reset': '3', 'x-ogw-ratelimit-limit': '50' },
      pathPrefix: '/open-apis/im',
    })
    const start = w.clock.now()
    // One at a time, so no other send is already on its way when the answer comes.
    const stats = await drainOutbox(w.db, w.senders, w.clock, { waitMs: 60_000, concurrency: 1 })
    expect(stats).toMatchObject({ sent: 3, rateLimited: 1, failed: 0 })
    // Nothing at all went out before the reset: the answer paused the app, not just that row.
    expect(Math.min(...sends(w.fake).map((s) => s.at))).toBeGreaterThanOrEqual(start + 3000)
    expect(sends(w.fake)).toHaveLength(3)
    // A rate limit is not a failed attempt.
    expect(w.sqlite.prepare('select max(attempts) n from outbox').get()).toEqual({ n: 1 })
  })

  it('retries a per-chat 230020 after a pause for that receiver only', async () => {
    w = await world({ users: 2 })
    await w.queue([text(w.users[0]!, 'a'), text(w.users[1]!, 'b')])
    w.fake.failNext({ status: 400, code: 230020, msg: 'This operation triggers the frequency limit.', pathPrefix: '/open-apis/im' })
    const start = w.clock.now()
    const stats = await drainOutbox(w.db, w.senders, w.clock, { waitMs: 60_000, concurrency: 1 })
    expect(stats).toMatchObject({ sent: 2, rateLimited: 1 })
    const [first, second] = sends(w.fake)
    // The other receiver went at once; the limited one a second later.
    expect(first!.at).toBe(start)
    expect(second!.at).toBeGreaterThanOrEqual(start + 1000)
  })

  it('backs off on server errors and gives up after maxAttempts', async () => {
    w = await world({ users: 2 })
    await w.queue([text(w.users[0]!, 'flaky')])
    w.fake.failNext({ status: 500, code: 0, msg: 'internal error', pathPrefix: '/open-apis/im' }, 3)
    const start = w.clock.now()
    const ok = await drainOutbox(w.db, w.senders, w.clock, { waitMs: 600_000, notifyOffice: false })
    expect(ok).toMatchObject({ sent: 1, retried: 3 })
    expect(sends(w.fake)[0]!.at).toBeGreaterThanOrEqual(start + 1000 + 2000 + 4000)

    await w.queue([text(w.users[1]!, 'down')])
    w.fake.failNext({ status: 503, code: 0, msg: 'unavailable', pathPrefix: '/open-apis/im' }, 5)
    const bad = await drainOutbox(w.db, w.senders, w.clock, { waitMs: 600_000, maxAttempts: 2, notifyOffice: false })
    expect(bad).toMatchObject({ sent: 0, failed: 1 })
    const row = w.sqlite.prepare(`select status, last_error from outbox where key = 'down'`).get() as { status: string; last_error: string }
    expect(row.status).toBe('failed')
    expect(row.last_error).toMatch(/^重试 2 次仍未成功：飞书服务暂时不可用/)
  })

  it('marks permanent failures failed with the reason and tells the office once per reason per day', async () => {
    w = await world({
      users: 6,
      groups: 1,
      fake: { outOfRange: ['ou_user0', 'ou_user1', 'ou_user4'], stoppedBot: ['ou_user2'], botNotInGroup: ['oc_group0'] },
    })
    await w.queue([
      text(w.users[0]!, 'u0'),
      text(w.users[1]!, 'u1'),
      text(w.users[2]!, 'u2'),
      text(w.users[3]!, 'u3'),
      { to: { kind: 'group', groupId: w.groups[0]! }, key: 'g0', body: { kind: 'text', text: '本周排名' } },
    ])
    const stats = await drainOutbox(w.db, w.senders, w.clock, { waitMs: 60_000 })
    expect(stats).toMatchObject({ failed: 4, officeNotices: 6 })
    const failed = w.sqlite.prepare(`select key, last_error from outbox where status = 'failed' order by key`).all() as {
      key: string
      last_error: string
    }[]
    expect(failed.map((f) => f.key)).toEqual(['g0', 'u0', 'u1', 'u2'])
    expect(failed.find((f) => f.key === 'u0')!.last_error).toContain('该用户不在应用的可用范围内')
    expect(failed.find((f) => f.key === 'u2')!.last_error).toContain('该用户已停用机器人')
    expect(failed.find((f) => f.key === 'g0')!.last_error).toContain('机器人不在该群中')
    // Three reasons × two office people, delivered in the same pass; the good row went too.
    const toOffice = sends(w.fake).filter((s) => s.receiveId?.startsWith('ou_office'))
    expect(toOffice).toHaveLength(6)
    expect((toOffice[0]!.parsed as { text: string }).text).toMatch(/^【消息发送失败】飞书：/)
    expect((toOffice.find((s) => (s.parsed as { text: string }).text.includes('230013'))!.parsed as { text: string }).text).toContain('联络员0')
    expect(sends(w.fake).some((s) => s.receiveId === 'ou_user3')).toBe(true)

    // The same reason again today: no new notice. Tomorrow: one more.
    await w.queue([text(w.users[4]!, 'u4-today')])
    expect(await drainOutbox(w.db, w.senders, w.clock, { waitMs: 60_000 })).toMatchObject({ failed: 1, officeNotices: 0 })
    w.clock.advance(24 * 3600_000)
    await w.queue([text(w.users[4]!, 'u4-tomorrow')])
    expect(await drainOutbox(w.db, w.senders, w.clock, { waitMs: 60_000 })).toMatchObject({ failed: 1, officeNotices: 2 })
  })

  it("resumes a crashed sender's rows after the lease, without delivering any twice", async () => {
    w = await world({ users: 30 })
    await w.queue(w.users.map((u, i) => text(u, `open:monthly:2026-11:p1:u${i}`, `请填报 ${i}`)))
    // A sender claimed 10 rows, got 6 of them out to Feishu, and was killed before recording anything.
    const claimed = await claimDue(w.db, w.clock.now(), 60_000, 10)
    for (const row of claimed.slice(0, 6)) expect((await (w.senders.feishu as { send(r: OutboxRow): Promise<SendOutcome> }).send(row)).ok).toBe(true)
    expect(sends(w.fake)).toHaveLength(6)

    // A new sender takes what is free now; the dead one's rows wait for their lease.
    const first = await drainOutbox(w.db, w.senders, w.clock, {})
    expect(first.sent).toBe(20)
    expect(statuses(w)).toEqual({ sent: 20, sending: 10 })
    // After the lease it takes them too; Feishu dedupes the 6 it already had by uuid.
    const second = await drainOutbox(w.db, w.senders, w.clock, { waitMs: 120_000 })
    expect(second.sent).toBe(10)
    expect(statuses(w)).toEqual({ sent: 30 })
    expect(sends(w.fake)).toHaveLength(30)
    expect(new Set(sends(w.fake).map((s) => s.content)).size).toBe(30)
    const ids = w.sqlite
      .prepare(
        `select message_id from outbox where key in (${claimed
          .slice(0, 6)
          .map(() => '?')
          .join(',')})`,
      )
      .all(...claimed.slice(0, 6).map((r) => r.key)) as { message_id: string }[]
    expect(ids.map((r) => r.message_id).sort()).toEqual(
      sends(w.fake)
        .slice(0, 6)
        .map((s) => s.messageId)
        .sort(),
    )
  })

  it('lets two processes drain one database without ever taking the same row', async () => {
    const path = tempDbPath()
    const a = openNodeDatabase(path)
    const b = openNodeDatabase(path)
    const people = Array.from({ length: 300 }, (_, i) => i + 1)
    a.sqlite.exec(`insert into people (name) values ${people.map(() => `('x')`).join(',')}`)
    await enqueue(
      a.db,
      { platforms: ['local'] },
      people.map((p) => ({ to: { kind: 'person', personId: p }, key: `k${p}`, body: { kind: 'text', text: 'hi' } })),
      0,
      String,
    )
    const seen: number[] = []
    const slow = async (row: OutboxRow): Promise<SendOutcome> => {
      seen.push(row.id)
      await new Promise((r) => setTimeout(r, 1))
      return { ok: true, messageId: `m${row.id}` }
    }
    const opts = { queueSize: 20, concurrency: 4 }
    const [x, y] = await Promise.all([
      drainOutbox(a.db, { local: slow }, manualClock(1000), { ...opts, limiter: createLimiter() }),
      drainOutbox(b.db, { local: slow }, manualClock(1000), { ...opts, limiter: createLimiter() }),
    ])
    expect(x.sent + y.sent).toBe(300)
    expect(x.sent).toBeGreaterThan(0)
    expect(y.sent).toBeGreaterThan(0)
    expect(seen).toHaveLength(300)
    expect(new Set(seen).size).toBe(300)
    a.close()
    b.close()
  })

  it('after a long pass still waits for a retry that is due within waitMs', async () => {
    const d = openNodeDatabase(':memory:')
    d.sqlite.exec(`insert into people (name) values ${Array.from({ length: 50 }, () => `('x')`).join(',')}`)
    await enqueue(
      d.db,
      { platforms: ['local'] },
      Array.from({ length: 50 }, (_, i) => ({ to: { kind: 'person', personId: i + 1 }, key: `k${i}`, body: { kind: 'text', text: 'hi' } })),
      0,
      String,
    )
    const clock = manualClock(0)
    let limited = false
    const slow = async (row: OutboxRow): Promise<SendOutcome> => {
      clock.advance(100) // each send takes 100 ms: the pass lasts 5 s
      if (row.key === 'k49' && !limited) {
        limited = true
        return { ok: false, retryable: true, retryAfterMs: 2000, reason: '发送太频繁（230020: This operation triggers the frequency limit.）' }
      }
      return { ok: true, messageId: row.key }
    }
    const stats = await drainOutbox(d.db, { local: slow }, clock, { waitMs: 3000, concurrency: 1 })
    expect(stats).toMatchObject({ sent: 50, rateLimited: 1 })
    d.close()
  })

  it('marks local rows sent with the built-in or the local channel sender', async () => {
    const d = openNodeDatabase(':memory:')
    d.sqlite.exec(`insert into people (name) values ('甲'), ('乙')`)
    await enqueue(
      d.db,
      { platforms: ['local'] },
      [1, 2].map((p) => ({ to: { kind: 'person', personId: p }, key: `l${p}`, body: { kind: 'text', text: '你好' } })),
      0,
      String,
    )
    expect(await drainOutbox(d.db, {}, manualClock(0))).toMatchObject({ sent: 2 })
    await enqueue(
      d.db,
      { platforms: ['local'] },
      [{ to: { kind: 'person', personId: 1 }, key: 'l3', body: { kind: 'text', text: '再见' } }],
      0,
      String,
    )
    expect(await drainOutbox(d.db, { local: localOutboxSender() as never }, manualClock(0))).toMatchObject({ sent: 1 })
    expect(d.sqlite.prepare(`select count(*) n from outbox where status = 'sent'`).get()).toEqual({ n: 3 })
    d.close()
  })
})

describe('a configuration error (wrong App Secret) pauses the platform instead of failing its rows', () => {
  const N = 12
  const logged: string[] = []
  const logger = { info: (m: string) => void logged.push(`info ${m}`), warn: (m: string) => void logged.push(`warn ${m}`) }
  const feishuRows = () =>
    w!.sqlite.prepare(`select status, attempts, last_error from outbox where platform = 'feishu' order by id`).all() as {
      status: string
      attempts: number
      last_error: string | null
    }[]
  const officeNotices = () =>
    w!.sqlite.prepare(`select platform, address, key, body from outbox where key like 'delivery-%' order by id`).all() as {
      platform: string
      address: string
      key: string
      body: string
    }[]

  it('N rows, bad secret → 0 failed, one notice to the office; secret fixed → all N sent exactly once', async () => {
    logged.length = 0
    // The app's real secret is 'fixed-secret'; the sender was started with the wrong one ('secret').
    w = await world({ users: N, fake: { appSecret: 'fixed-secret' } })
    await w.queue(w.users.map((u, i) => text(u, `open:monthly:2026-11:p1:u${i}`, `请填报 ${i}`)))
    const opts = { waitMs: 10_000, logger }

    const bad = await drainOutbox(w.db, w.senders, w.clock, opts)
    expect(bad).toMatchObject({ failed: 0, retried: 0 })
    expect(bad.paused).toBeGreaterThanOrEqual(1)
    // Nothing failed, no attempt counted: every row is waiting, the probed one with Feishu's reason.
    const rows = feishuRows()
    expect(rows.map((r) => r.status)).toEqual(Array(N).fill('pending'))
    expect(rows.every((r) => r.attempts === 0)).toBe(true)
    expect(rows.some((r) => r.last_error?.includes('10014'))).toBe(true)
    // One notice per office member (not one per row), through the local inbox since Feishu is what is down.
    const notices = officeNotices()
    expect(notices).toHaveLength(w.office.length)
    expect(bad.officeNotices).toBe(w.office.length)
    expect(notices.map((n) => n.platform)).toEqual(['local', 'local'])
    expect(notices.map((n) => n.address).sort()).toEqual(w.office.map((id) => `person:${id}`).sort())
    const notice = JSON.parse(notices[0]!.body) as { text: string }
    expect(notice.text).toMatch(/^【飞书消息暂停发送】应用密钥（App Secret）无效（10014/)
    expect(notice.text).toContain('不会标记为失败')
    expect(logged).toEqual(['warn feishu sends paused: configuration error'])

    // Paused: the next passes within the minute do not even ask Feishu.
    const asked = w.fake.requests.length
    expect(await drainOutbox(w.db, w.senders, w.clock, opts)).toMatchObject({ claimed: 0, sent: 0, failed: 0 })
    w.clock.advance(30_000)
    expect(await drainOutbox(w.db, w.senders, w.clock, opts)).toMatchObject({ claimed: 0, sent: 0, failed: 0 })
    expect(w.fake.requests.length).toBe(asked)

    // A minute later it probes again: still wrong, still nothing failed, no second notice today.
    w.clock.advance(31_000)
    const again = await drainOutbox(w.db, w.senders, w.clock, { ...opts, concurrency: 1 })
    expect(again).toMatchObject({ paused: 1, failed: 0, sent: 0, officeNotices: 0 })
    expect(w.fake.requests.length).toBe(asked + 1)
    expect(feishuRows().every((r) => r.status === 'pending' && r.attempts === 0)).toBe(true)
    expect(officeNotices()).toHaveLength(w.office.length)

    // The secret is fixed (the process restarted with the right one; the pause it had is kept here to
    // show the periodic retry): at the next probe everything queued goes, once each.
    const fixed = createSdkSender({ ...APP, appSecret: 'fixed-secret', domain: w.fake.url, timeoutMs: 5000 })
    const senders = { feishu: feishuOutboxSender(fixed, w.db) }
    expect(await drainOutbox(w.db, senders, w.clock, opts)).toMatchObject({ sent: 0 }) // still paused
    w.clock.advance(60_000)
    const good = await drainOutbox(w.db, senders, w.clock, opts)
    expect(good).toMatchObject({ sent: N, failed: 0, paused: 0 })
    expect(feishuRows().map((r) => r.status)).toEqual(Array(N).fill('sent'))
    const delivered = sends(w.fake).map((s) => s.content)
    expect(delivered).toHaveLength(N)
    expect(new Set(delivered).size).toBe(N)
    expect(logged.at(-1)).toBe('info feishu sends resumed: its configuration works again')
    expect(statuses(w)).toEqual({ sent: N + w.office.length })
    // Nothing more to send, and a pass later sends nothing twice.
    expect(await drainOutbox(w.db, senders, w.clock, opts)).toMatchObject({ claimed: 0, sent: 0 })
    expect(sends(w.fake)).toHaveLength(N)
  })

  it('after a restart with the secret fixed, the first pass sends everything', async () => {
    w = await world({ users: N, fake: { appSecret: 'fixed-secret' } })
    await w.queue(w.users.map((u, i) => text(u, `remind:${i}`)))
    expect(await drainOutbox(w.db, w.senders, w.clock, { pauses: createPauses() })).toMatchObject({ failed: 0, officeNotices: 2 })
    // A new process: no pause in memory. The probed rows wait for their minute; the others go at once.
    const fixed = { feishu: feishuOutboxSender(createSdkSender({ ...APP, appSecret: 'fixed-secret', domain: w.fake.url, timeoutMs: 5000 }), w.db) }
    const pauses = createPauses()
    const first = await drainOutbox(w.db, fixed, w.clock, { pauses, waitMs: 120_000 })
    expect(first).toMatchObject({ sent: N, failed: 0 })
    expect(new Set(sends(w.fake).map((s) => s.uuid)).size).toBe(N)
    expect(sends(w.fake)).toHaveLength(N)
  })

  it('works for any platform whose sender marks the answer config: true, with sends in flight', async () => {
    const d = openNodeDatabase(':memory:')
    d.sqlite.exec(`insert into people (name, roles) values ('办公室', '["office"]')`)
    d.sqlite.exec(`insert into people (name) values ${Array.from({ length: 50 }, () => `('x')`).join(',')}`)
    d.sqlite.exec(`insert into identities (person_id, platform, user_id, bound_at) select id, 'wecom', 'wx' || id, 0 from people where id > 1`)
    await enqueue(
      d.db,
      { platforms: ['wecom'] },
      Array.from({ length: 50 }, (_, i) => ({ to: { kind: 'person', personId: i + 2 }, key: `w${i}`, body: { kind: 'text', text: 'hi' } })),
      0,
      String,
    )
    const clock = manualClock(0)
    let secretOk = false
    const got: string[] = []
    const wecom = async (row: OutboxRow): Promise<SendOutcome> => {
      await new Promise((r) => setTimeout(r, 1))
      if (!secretOk) return { ok: false, retryable: false, config: true, code: 40001, reason: '企业微信 Secret 无效（40001: invalid credential）' }
      got.push(row.key)
      return { ok: true, messageId: row.key }
    }
    const pauses = createPauses()
    const bad = await drainOutbox(d.db, { wecom }, clock, { pauses, concurrency: 8 })
    expect(bad.failed).toBe(0)
    expect(bad.paused).toBeGreaterThanOrEqual(1)
    expect(bad.paused).toBeLessThanOrEqual(8)
    expect(bad.officeNotices).toBe(1)
    expect(d.sqlite.prepare(`select count(*) n from outbox where platform = 'wecom' and status = 'pending' and attempts = 0`).get()).toEqual({
      n: 50,
    })
    expect(d.sqlite.prepare(`select platform, address from outbox where key like 'delivery-paused:%'`).all()).toEqual([
      { platform: 'local', address: 'person:1' },
    ])
    secretOk = true
    clock.advance(60_000)
    expect(await drainOutbox(d.db, { wecom }, clock, { pauses, concurrency: 8 })).toMatchObject({ sent: 50, failed: 0 })
    expect(got).toHaveLength(50)
    expect(new Set(got).size).toBe(50)
    d.close()
  })
})

describe('reading platform answers', () => {
  it('finds the code in a classified reason and knows which scope a rate limit pauses', () => {
    const app = {
      ok: false as const,
      retryable: true,
      retryAfterMs: 3000,
      reason: '飞书接口调用频率超限（应用级）（99991400: request trigger frequency limit）',
    }
    expect(codeOf(app)).toBe(99991400)
    expect(rateLimitOf('feishu', app)).toEqual({ scope: 'app', waitMs: 1000 })
    const chat = {
      ok: false as const,
      retryable: true,
      retryAfterMs: 1000,
      reason: '发送太频繁（同一用户或同一群每秒最多 5 条）（230020: This operation triggers the frequency limit.）',
    }
    expect(rateLimitOf('feishu', chat)).toEqual({ scope: 'recipient', waitMs: 1000 })
    expect(rateLimitOf('wecom', { ok: false, retryable: true, reason: 'api freq out of limit', code: 45009 })).toEqual({
      scope: 'app',
      waitMs: 60_000,
    })
    expect(rateLimitOf('wecom', { ok: false, retryable: true, reason: 'api concurrent out of limit', code: 45033 })!.scope).toBe('app')
    expect(rateLimitOf('feishu', { ok: false, retryable: true, reason: '无法连接飞书（ECONNREFUSED）' })).toBeNull()
    expect(rateLimitOf('feishu', { ok: false, retryable: false, reason: '该用户已停用机器人（230053: …）' })).toBeNull()
  })
})

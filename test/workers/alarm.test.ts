/**
 * Inside workerd: what the county's Durable Object schedules after a drain. A reply that Feishu's rate limit
 * sent back for 2 s gets an alarm for then, and the alarm sends it; a row due in more than a minute gets no
 * alarm (the next minute's tick wakes the drain); an outbox with nothing due leaves no alarm behind.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { env } from 'cloudflare:workers'
import { runInDurableObject } from 'cloudflare:test'
import { textMessageEvent, webhookRequest } from '../fakes/feishu.ts'
import { COUNTIES, OPENS } from './counties.ts'
import { count, freshCounties, failFeishu, feishuOf, post, until } from './helpers.ts'

const one = COUNTIES[0]!
const objects = env as unknown as { COUNTY_OBJECT: { idFromName(n: string): unknown; get(id: unknown): unknown } }
const stub = () => objects.COUNTY_OBJECT.get(objects.COUNTY_OBJECT.idFromName('one'))
const alarmAt = () => runInDurableObject(stub(), (_, state) => state.storage.getAlarm())

// County two too: a wake of it from the file before may still be in the Queue.
beforeAll(() => freshCounties(['one', 'two']))

let n = 0
/** 帮助 from person `who` of county one, in their own chat; resolves when the Worker has answered the webhook. */
async function help(who: number) {
  const body = textMessageEvent({
    text: '帮助',
    senderOpenId: `ou_one_${who}`,
    chatId: `oc_alarm_${who}`,
    eventId: `ev_alarm_${++n}`,
    token: one.verificationToken,
  })
  const res = await post(
    '/c/one/webhooks/feishu/events',
    await webhookRequest(body, { encryptKey: one.encryptKey, timestamp: String(Math.floor(OPENS.getTime() / 1000)) }),
  )
  expect(res.status).toBe(200)
}
const pending = () => count('one', `select count(*) n from outbox where status = 'pending'`)
const repliesTo = async (who: number) => (await feishuOf('one')).sent.filter((s) => s.chatId === `oc_alarm_${who}`)

describe('the county object’s alarm in workerd', () => {
  it('a reply held back 2 s by Feishu’s rate limit gets an alarm for then, and the alarm sends it', async () => {
    await failFeishu('one', { status: 429, code: 99991400, headers: { 'x-ogw-ratelimit-reset': '2' }, pathPrefix: '/open-apis/im/' })
    const asked = Date.now()
    await help(1)
    await until(async () => (await pending()) === 1 && (await alarmAt()) !== null)
    const at = (await alarmAt())!
    // Scheduled for the reset (the county's clock moved back to real time), not for the next minute's tick.
    expect(at).toBeGreaterThan(asked + 1000)
    expect(at).toBeLessThan(Date.now() + 3000)
    expect(await repliesTo(1)).toEqual([])
    await until(async () => (await repliesTo(1)).length === 1, 10_000)
    expect((await repliesTo(1))[0]!.content).toContain('帮助')
    expect(await pending()).toBe(0)
    await until(async () => (await alarmAt()) === null)
  })

  it('nothing due: a drain leaves no alarm', async () => {
    await help(2)
    await until(async () => (await repliesTo(2)).length === 1)
    expect(await alarmAt()).toBeNull()
  })

  it('a row due in more than a minute gets no alarm: it waits for a tick', async () => {
    await failFeishu('one', { status: 429, code: 99991400, headers: { 'x-ogw-ratelimit-reset': '120' }, pathPrefix: '/open-apis/im/' })
    await help(3)
    // Sent back for 120 s (the county's clock started at OPENS a few seconds ago).
    await until(
      async () =>
        (await count('one', `select count(*) n from outbox where status = 'pending' and next_attempt_at > ?`, OPENS.getTime() + 110_000)) === 1,
    )
    expect(await pending()).toBe(1)
    expect(await alarmAt()).toBeNull()
    expect(await repliesTo(3)).toEqual([])
  })
})

/**
 * Inside workerd: county two's WeCom 自建应用 callback through the Worker on D1, with the keys of the official
 * vector A (test/channels/wecom/vectors.ts): the console's URL verification answers the bare plaintext; the
 * vector's own POST, signed in 2014, is refused as stale; a fresh encrypted 帮助 is stored and answered through
 * the outbox with `message/send` to the fake WeCom API. County one has no WeCom app.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { A, envelopeA } from '../channels/wecom/vectors.ts'
import { callbackRequest, textXml } from '../fakes/wecom.ts'
import { OPENS, WECOM_APP } from './counties.ts'
import { count, freshCounties, until, wecomOf, worker } from './helpers.ts'

beforeAll(() => freshCounties(['one', 'two']))

const countySeconds = Math.floor(OPENS.getTime() / 1000)
const callback = (path: string, init?: RequestInit) => worker.fetch(`http://localhost${path}`, init)

describe('the WeCom callback in workerd', () => {
  it('answers the URL verification of vector A with its plaintext; a forged one gets 401; county one has no WeCom route', async () => {
    const ok = await callback(`/c/two/webhooks/wecom?${A.verify.query}`)
    expect(ok.status).toBe(200)
    expect(await ok.text()).toBe(A.verify.reply)
    expect((await callback(`/c/two/webhooks/wecom?${A.verify.query.replace('5c45ff', '5c45fe')}`)).status).toBe(401)
    expect((await callback(`/c/one/webhooks/wecom?${A.verify.query}`)).status).toBe(404)
  })

  it('refuses vector A’s POST (signed in 2014) and a tampered one with 401, storing nothing', async () => {
    const query = (signature: string) => `msg_signature=${signature}&timestamp=${A.post.timestamp}&nonce=${A.post.nonce}`
    for (const signature of [A.post.signature, A.post.signature.replace('4', '5')]) {
      const res = await callback(`/c/two/webhooks/wecom?${query(signature)}`, {
        method: 'POST',
        body: envelopeA,
        headers: { 'content-type': 'text/xml' },
      })
      expect(res.status).toBe(401)
    }
    expect(await count('two', `select count(*) n from inbound_log where platform = 'wecom'`)).toBe(0)
  })

  it('a member’s encrypted 帮助 is stored on D1 and answered through message/send to that member', async () => {
    const plain = textXml(WECOM_APP, 'wc_two_1', '帮助', { createTime: countySeconds, msgId: '7000000000000000001' })
    const req = await callbackRequest(WECOM_APP, plain, { timestamp: String(countySeconds) })
    const res = await callback(`/c/two/webhooks/wecom?${req.query}`, { method: 'POST', body: req.body, headers: { 'content-type': 'text/xml' } })
    expect(res.status).toBe(200)
    expect(await res.text()).toBe('')
    await until(async () => (await wecomOf()).sent.some((s) => s.touser === 'wc_two_1'))
    const reply = (await wecomOf()).sent.find((s) => s.touser === 'wc_two_1')!
    expect(JSON.stringify(reply.body)).toContain('帮助')
    expect(await count('two', `select count(*) n from inbound_log where platform = 'wecom' and status = 'processed'`)).toBe(1)
    // WeCom's retry of the same callback is answered and done once.
    expect((await callback(`/c/two/webhooks/wecom?${req.query}`, { method: 'POST', body: req.body })).status).toBe(200)
    expect(await count('two', `select count(*) n from inbound_log where platform = 'wecom'`)).toBe(1)
  })
})

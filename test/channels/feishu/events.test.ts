/**
 * Webhook bodies → InboundEvent, and the whole inbound check (signature, decryption, token, age).
 */
import { describe, expect, it } from 'vitest'
import { WebhookAuthError, encrypt, sha256Hex, webCryptoAes, type AesCbc } from '../../../src/channels/feishu/crypto.ts'
import { nodeAes, nodeSha256Hex } from '../../../src/runtime/node/aes.ts'
import {
  WebhookPayloadError,
  MAX_JSON_DEPTH,
  UNSIGNED_MAX_CHARS,
  checkToken,
  classify,
  formStrings,
  openWebhook,
  toInboundEvent,
  type FeishuWebhook,
} from '../../../src/channels/feishu/events.ts'
import { botAddedEvent, botRemovedEvent, cardActionEvent, p2pChatCreateEvent, textMessageEvent, v2Event, webhookRequest } from '../../fakes/feishu.ts'

const BOT = 'ou_bot'
const ctx = { botOpenId: BOT, receivedAt: new Date('2026-11-20T01:00:00Z') }
const inbound = (body: unknown, extra: Partial<typeof ctx> & { chatKind?: (id: string) => 'direct' | 'group' | undefined } = {}) =>
  toInboundEvent(classify(body), { ...ctx, ...extra })

describe('classify', () => {
  it('recognises url_verification, plain and the Go SDK vector B shape', () => {
    expect(classify({ challenge: 'abc', token: 'tok', type: 'url_verification' })).toEqual({
      kind: 'url_verification',
      challenge: 'abc',
      token: 'tok',
    })
    const vectorB = {
      schema: '2.0',
      header: { event_id: 'f79', event_type: 'contact.user.created_v3', token: 'v' },
      event: {},
      challenge: '1212',
      type: 'url_verification',
    }
    expect(classify(vectorB)).toMatchObject({ kind: 'url_verification', challenge: '1212', token: 'v' })
  })

  it('gives v2 events their header.event_id as dedupe id and the create time', () => {
    const body = textMessageEvent({ text: 'hi', eventId: 'ev_1', createTime: 1_700_000_000_000 })
    const hook = classify(body)
    expect(hook).toMatchObject({ kind: 'event', id: 'ev_1', type: 'im.message.receive_v1', token: 'vtoken' })
    expect(hook.kind === 'event' && hook.createdAt?.getTime()).toBe(1_700_000_000_000)
  })

  it('reads microsecond create_time too', () => {
    const hook = classify(v2Event('x', {}, { eventId: 'e' }))
    const body = { ...v2Event('x', {}), header: { event_id: 'e', event_type: 'x', create_time: '1603977298000000' } }
    expect(hook.kind).toBe('event')
    const h = classify(body)
    expect(h.kind === 'event' && h.createdAt?.toISOString()).toBe('2020-10-29T13:14:58.000Z')
  })

  it('sorts card.action.trigger as a card callback', () => {
    expect(classify(cardActionEvent({ value: { cmd: 'ack' }, eventId: 'ev_c' }))).toMatchObject({ kind: 'card', id: 'ev_c' })
  })

  it('gives v1 events (p2p_chat_create) their uuid as dedupe id', () => {
    expect(classify(p2pChatCreateEvent({ uuid: 'u-1' }))).toMatchObject({ kind: 'event', id: 'u-1', type: 'p2p_chat_create' })
  })

  it.each([
    ['an array', []],
    ['a string', 'hello'],
    ['null', null],
    ['v2 without event_id', { schema: '2.0', header: { event_type: 'x' }, event: {} }],
    ['v2 without event', { schema: '2.0', header: { event_id: 'e', event_type: 'x' } }],
    ['challenge without challenge', { type: 'url_verification' }],
    ['legacy 1.0 card callback', { open_id: 'ou', action: { value: {} }, token: 't' }],
    ['v1 without uuid', { type: 'event_callback', event: { type: 'p2p_chat_create' } }],
  ])('rejects %s with a 400 WebhookPayloadError', (_, body) => {
    expect(() => classify(body)).toThrow(WebhookPayloadError)
    try {
      classify(body)
    } catch (e) {
      expect((e as WebhookPayloadError).status).toBe(400)
    }
  })
})

describe('checkToken', () => {
  it('passes a matching token or when none is configured, and refuses a mismatch with 401', () => {
    expect(() => checkToken('t1', 't1')).not.toThrow()
    expect(() => checkToken(undefined, undefined)).not.toThrow()
    expect(() => checkToken('t2', 't1')).toThrow(WebhookAuthError)
    expect(() => checkToken(undefined, 't1')).toThrow(WebhookAuthError)
  })
})

describe('openWebhook', () => {
  const secrets = { encryptKey: 'enc key 密钥', verificationToken: 'vtoken' }

  it('verifies, decrypts and classifies a signed encrypted event', async () => {
    const req = await webhookRequest(textMessageEvent({ text: '本月排名', eventId: 'ev_9' }), { encryptKey: secrets.encryptKey })
    expect(JSON.parse(req.rawBody)).toHaveProperty('encrypt')
    const hook = await openWebhook(req, secrets)
    expect(hook).toMatchObject({ kind: 'event', id: 'ev_9' })
    expect(toInboundEvent(hook, ctx)).toMatchObject({ type: 'text', text: '本月排名' })
  })

  it('accepts a Headers object', async () => {
    const req = await webhookRequest(cardActionEvent({ value: { cmd: 'board' } }), { encryptKey: secrets.encryptKey })
    const hook = await openWebhook({ rawBody: req.rawBody, headers: new Headers(req.headers) }, secrets)
    expect(hook.kind).toBe('card')
  })

  it('refuses a forged signature, a changed body and a missing signature with 401', async () => {
    const req = await webhookRequest(textMessageEvent({ text: 'x' }), { encryptKey: secrets.encryptKey })
    const forged = { ...req, headers: { ...req.headers, 'x-lark-signature': '0'.repeat(64) } }
    await expect(openWebhook(forged, secrets)).rejects.toBeInstanceOf(WebhookAuthError)
    const changed = { ...req, rawBody: req.rawBody.replace('{"encrypt"', '{ "encrypt"') }
    await expect(openWebhook(changed, secrets)).rejects.toBeInstanceOf(WebhookAuthError)
    const unsigned = await webhookRequest(textMessageEvent({ text: 'x' }), { encryptKey: secrets.encryptKey, sign: false })
    await expect(openWebhook(unsigned, secrets)).rejects.toBeInstanceOf(WebhookAuthError)
  })

  it('refuses a body encrypted with another key (signed with that key) with 401', async () => {
    const req = await webhookRequest(textMessageEvent({ text: 'x' }), { encryptKey: 'other key' })
    await expect(openWebhook(req, secrets)).rejects.toBeInstanceOf(WebhookAuthError)
  })

  it('lets an unsigned url_verification through but still checks its token', async () => {
    const ok = await webhookRequest(
      { challenge: 'ch', token: 'vtoken', type: 'url_verification' },
      {
        encryptKey: secrets.encryptKey,
        sign: false,
      },
    )
    expect(await openWebhook(ok, secrets)).toEqual({ kind: 'url_verification', challenge: 'ch', token: 'vtoken' })
    const bad = await webhookRequest(
      { challenge: 'ch', token: 'forged', type: 'url_verification' },
      {
        encryptKey: secrets.encryptKey,
        sign: false,
      },
    )
    await expect(openWebhook(bad, secrets)).rejects.toBeInstanceOf(WebhookAuthError)
  })

  it('checks the verification token of events (v2 header.token, v1 token)', async () => {
    const v2 = await webhookRequest(textMessageEvent({ text: 'x', token: 'wrong' }), { encryptKey: secrets.encryptKey })
    await expect(openWebhook(v2, secrets)).rejects.toBeInstanceOf(WebhookAuthError)
    const v1 = await webhookRequest(p2pChatCreateEvent({ token: 'wrong' }), { encryptKey: secrets.encryptKey })
    await expect(openWebhook(v1, secrets)).rejects.toBeInstanceOf(WebhookAuthError)
    const plain = await webhookRequest(p2pChatCreateEvent({ token: 'vtoken' }))
    expect(await openWebhook(plain, { verificationToken: 'vtoken' })).toMatchObject({ kind: 'event', type: 'p2p_chat_create' })
  })

  it('refuses signed requests older than maxAgeSeconds (replays)', async () => {
    const now = () => new Date('2026-11-20T12:00:00Z')
    const at = (secondsAgo: number) => String(Math.floor(now().getTime() / 1000) - secondsAgo)
    const fresh = await webhookRequest(textMessageEvent({ text: 'x' }), { encryptKey: secrets.encryptKey, timestamp: at(60) })
    await expect(openWebhook(fresh, { ...secrets, maxAgeSeconds: 3600, now })).resolves.toMatchObject({ kind: 'event' })
    const old = await webhookRequest(textMessageEvent({ text: 'x' }), { encryptKey: secrets.encryptKey, timestamp: at(7200) })
    await expect(openWebhook(old, { ...secrets, maxAgeSeconds: 3600, now })).rejects.toBeInstanceOf(WebhookAuthError)
    await expect(openWebhook(old, { ...secrets, maxAgeSeconds: 0, now })).resolves.toMatchObject({ kind: 'event' })
  })

  it('refuses an encrypted body when no encrypt key is configured (401) and non-JSON (400)', async () => {
    const req = await webhookRequest(textMessageEvent({ text: 'x' }), { encryptKey: 'k' })
    await expect(openWebhook(req, { verificationToken: 'vtoken' })).rejects.toBeInstanceOf(WebhookAuthError)
    await expect(openWebhook({ rawBody: 'not json', headers: {} }, {})).rejects.toBeInstanceOf(WebhookPayloadError)
  })
})

/** An AesCbc that counts its calls (and otherwise is `inner`). */
function countingAes(inner: AesCbc = nodeAes) {
  const aes = {
    calls: 0,
    decrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array) {
      aes.calls++
      return inner.decrypt(key, iv, data)
    },
  }
  return aes
}

/** Headers signing `rawBody` as Feishu does. */
function signed(rawBody: string, encryptKey: string, timestamp = String(Math.floor(Date.now() / 1000))) {
  const nonce = 'n0nce'
  return {
    rawBody,
    headers: {
      'content-type': 'application/json',
      'x-lark-request-timestamp': timestamp,
      'x-lark-request-nonce': nonce,
      'x-lark-signature': sha256Hex(timestamp + nonce + encryptKey + rawBody),
    },
  }
}

const nested = (depth: number, inner = '') => '['.repeat(depth) + inner + ']'.repeat(depth)

describe('openWebhook: verify before decoding', () => {
  const key = 'enc key 密钥'
  const base = { encryptKey: key, verificationToken: 'vtoken' }

  it.each([
    ['node:crypto', nodeAes],
    ['WebCrypto', webCryptoAes],
  ] as [string, AesCbc][])('opens a signed event through the injected %s AES, once', async (_, inner) => {
    const aes = countingAes(inner)
    const req = await webhookRequest(textMessageEvent({ text: '调度已完成', eventId: 'ev_aes' }), { encryptKey: key })
    const hook = await openWebhook(req, { ...base, aes })
    expect(toInboundEvent(hook, ctx)).toMatchObject({ type: 'text', text: '调度已完成' })
    expect(aes.calls).toBe(1)
    // as npm start runs it: node:crypto's hash for the signature as well
    await expect(openWebhook(req, { ...base, aes, sha256Hex: nodeSha256Hex })).resolves.toEqual(hook)
    const forged = { ...req, headers: { ...req.headers, 'x-lark-signature': 'ab'.repeat(32) } }
    await expect(openWebhook(forged, { ...base, aes, sha256Hex: nodeSha256Hex })).rejects.toBeInstanceOf(WebhookAuthError)
    expect(aes.calls).toBe(2)
  })

  it('refuses an unsigned large encrypted body with 401 without decrypting it', async () => {
    const aes = countingAes()
    const big = textMessageEvent({ text: '本月完成投资1200万元'.repeat(4000) })
    const req = await webhookRequest(big, { encryptKey: key, sign: false })
    expect(req.rawBody.length).toBeGreaterThan(UNSIGNED_MAX_CHARS)
    expect(req.headers).not.toHaveProperty('x-lark-signature')
    await expect(openWebhook(req, { ...base, aes })).rejects.toMatchObject({ name: 'WebhookAuthError', status: 401, message: 'missing signature' })
    // Just over the limit is refused the same way, and so is anything unsigned that is not even JSON.
    await expect(openWebhook({ rawBody: `{"encrypt":"${'A'.repeat(UNSIGNED_MAX_CHARS)}"}`, headers: {} }, { ...base, aes })).rejects.toBeInstanceOf(
      WebhookAuthError,
    )
    await expect(openWebhook({ rawBody: 'x'.repeat(UNSIGNED_MAX_CHARS + 1), headers: {} }, { ...base, aes })).rejects.toBeInstanceOf(WebhookAuthError)
    expect(aes.calls).toBe(0)
  })

  it('refuses a forged signature and a stale timestamp without decrypting', async () => {
    const aes = countingAes()
    const now = () => new Date('2026-11-20T12:00:00Z')
    const req = await webhookRequest(textMessageEvent({ text: 'x' }), { encryptKey: key, timestamp: String(now().getTime() / 1000 - 7200) })
    await expect(openWebhook(req, { ...base, aes, maxAgeSeconds: 3600, now })).rejects.toThrow('too old')
    const forged = { ...req, headers: { ...req.headers, 'x-lark-signature': 'ab'.repeat(32) } }
    await expect(openWebhook(forged, { ...base, aes })).rejects.toThrow('signature mismatch')
    expect(aes.calls).toBe(0)
  })

  it('decrypts a small unsigned body to let only a url_verification through', async () => {
    const aes = countingAes()
    const challenge = await webhookRequest({ challenge: 'ch', token: 'vtoken', type: 'url_verification' }, { encryptKey: key, sign: false })
    expect(challenge.rawBody.length).toBeLessThan(UNSIGNED_MAX_CHARS)
    expect(await openWebhook(challenge, { ...base, aes })).toEqual({ kind: 'url_verification', challenge: 'ch', token: 'vtoken' })
    const small = await webhookRequest(p2pChatCreateEvent({ token: 'vtoken' }), { encryptKey: key, sign: false })
    expect(small.rawBody.length).toBeLessThan(UNSIGNED_MAX_CHARS)
    await expect(openWebhook(small, { ...base, aes })).rejects.toThrow('missing signature')
    expect(aes.calls).toBe(2)
  })

  it('without an Encrypt Key, an unsigned plain body of any size is judged by its token', async () => {
    const big = await webhookRequest(textMessageEvent({ text: '调度'.repeat(5000), token: 'vtoken' }))
    expect(big.rawBody.length).toBeGreaterThan(UNSIGNED_MAX_CHARS)
    await expect(openWebhook(big, { verificationToken: 'vtoken' })).resolves.toMatchObject({ kind: 'event' })
  })
})

describe('openWebhook: nesting', () => {
  const key = 'enc key 密钥'
  const secrets = { encryptKey: key, verificationToken: 'vtoken', aes: nodeAes }

  it('gives a correctly signed body of 100,000 nested arrays a 400', async () => {
    const req = signed(nested(100_000), key)
    await expect(openWebhook(req, secrets)).rejects.toMatchObject({ name: 'WebhookPayloadError', status: 400 })
    const inObject = signed(`{"schema":"2.0","header":{"event_id":"e","event_type":"x","token":"vtoken"},"event":{"a":${nested(100_000)}}}`, key)
    await expect(openWebhook(inObject, secrets)).rejects.toBeInstanceOf(WebhookPayloadError)
  })

  it('gives an encrypted event nested 50,000 deep inside a 400 (it could not be stored: JSON.stringify throws)', async () => {
    const plain = `{"schema":"2.0","header":{"event_id":"e","event_type":"im.message.receive_v1","token":"vtoken"},"event":{"x":${nested(50_000, '1')}}}`
    expect(() => JSON.stringify(JSON.parse(plain))).toThrow(RangeError)
    const req = signed(JSON.stringify({ encrypt: await encrypt(key, plain) }), key)
    await expect(openWebhook(req, secrets)).rejects.toMatchObject({ name: 'WebhookPayloadError', status: 400 })
  })

  it(`accepts ${MAX_JSON_DEPTH} levels, and brackets inside strings do not count`, async () => {
    const deep = {
      schema: '2.0',
      header: { event_id: 'e', event_type: 'x', token: 'vtoken' },
      event: { a: JSON.parse(nested(MAX_JSON_DEPTH - 2)) as unknown },
    }
    const ok = await webhookRequest(deep, { encryptKey: key })
    await expect(openWebhook(ok, secrets)).resolves.toMatchObject({ kind: 'event', type: 'x' })
    const tooDeep = { ...deep, event: { a: JSON.parse(nested(MAX_JSON_DEPTH - 1)) as unknown } }
    await expect(openWebhook(await webhookRequest(tooDeep, { encryptKey: key }), secrets)).rejects.toBeInstanceOf(WebhookPayloadError)
    const text = textMessageEvent({ text: '[[[[{{{{"\\' + '['.repeat(500), eventId: 'ev_str' })
    const hook = await openWebhook(await webhookRequest(text, { encryptKey: key }), secrets)
    expect(toInboundEvent(hook, ctx)).toMatchObject({ type: 'text', text: '[[[[{{{{"\\' + '['.repeat(500) })
  })
})

describe('toInboundEvent: messages', () => {
  it('turns a p2p text into a direct text event', () => {
    const ev = inbound(
      textMessageEvent({ text: '  查询 城南污水厂  ', chatId: 'oc_dm', senderOpenId: 'ou_zhang', messageId: 'om_1', eventId: 'ev_1' }),
    )
    expect(ev).toEqual({
      id: 'ev_1',
      platform: 'feishu',
      receivedAt: ctx.receivedAt,
      type: 'text',
      sender: { platform: 'feishu', userId: 'ou_zhang', unionId: 'on_fake' },
      chat: { platform: 'feishu', chatId: 'oc_dm', kind: 'direct' },
      text: '查询 城南污水厂',
      mentionedBot: false,
      messageId: 'om_1',
    })
  })

  it('in a group, strips the bot mention and keeps other mentions as names', () => {
    const ev = inbound(
      textMessageEvent({
        text: '@_user_1 督办 @_user_2 城南污水厂',
        chatType: 'group',
        chatId: 'oc_g',
        mentions: [
          { openId: BOT, name: '调度助手' },
          { openId: 'ou_li', name: '李四' },
        ],
      }),
    )
    expect(ev).toMatchObject({
      type: 'text',
      text: '督办 @李四 城南污水厂',
      mentionedBot: true,
      chat: { chatId: 'oc_g', kind: 'group' },
    })
  })

  it('handles ten or more mentions (@_user_10 is not @_user_1 + "0")', () => {
    const mentions = Array.from({ length: 10 }, (_, i) => ({ openId: i === 9 ? BOT : `ou_${i}`, name: `人${i + 1}` }))
    const ev = inbound(textMessageEvent({ text: '@_user_10 @_user_1 你好', chatType: 'group', mentions }))
    expect(ev).toMatchObject({ text: '@人1 你好', mentionedBot: true })
  })

  it('ignores group messages that do not mention the bot (also @all alone)', () => {
    expect(inbound(textMessageEvent({ text: '大家好', chatType: 'group' }))).toBeNull()
    const other = textMessageEvent({ text: '@_user_1 看一下', chatType: 'group', mentions: [{ openId: 'ou_li', name: '李四' }] })
    expect(inbound(other)).toBeNull()
    expect(inbound(textMessageEvent({ text: '@_all 开会', chatType: 'group' }))).toBeNull()
  })

  it('writes @all as @所有人', () => {
    const ev = inbound(textMessageEvent({ text: '@_user_1 @_all 通报', chatType: 'group', mentions: [{ openId: BOT, name: 'bot' }] }))
    expect(ev).toMatchObject({ text: '@所有人 通报' })
  })

  it('returns null for non-text messages and for messages from apps', () => {
    const image = textMessageEvent({ text: '', messageType: 'image', content: JSON.stringify({ image_key: 'img_1' }) })
    expect(inbound(image)).toBeNull()
    const post = textMessageEvent({ text: '', messageType: 'post', content: JSON.stringify({ title: 't', content: [] }) })
    expect(inbound(post)).toBeNull()
    const fromApp = textMessageEvent({ text: 'hi' })
    ;(fromApp.event.sender as { sender_type: string }).sender_type = 'app'
    expect(inbound(fromApp)).toBeNull()
  })

  it('rejects malformed message events with 400', () => {
    const noChat = textMessageEvent({ text: 'x' })
    delete (noChat.event.message as Record<string, unknown>).chat_id
    expect(() => inbound(noChat)).toThrow(WebhookPayloadError)
    expect(() => inbound(textMessageEvent({ text: '', content: 'not json' }))).toThrow(WebhookPayloadError)
    expect(() => inbound(textMessageEvent({ text: '', content: '{"title":"x"}' }))).toThrow(WebhookPayloadError)
  })
})

describe('toInboundEvent: card actions', () => {
  it('turns a button click into the command it stands for', () => {
    const ev = inbound(
      cardActionEvent({ value: { cmd: 'ack', taskId: 42 }, operatorOpenId: 'ou_wang', messageId: 'om_card1', chatId: 'oc_g', eventId: 'ev_c1' }),
    )
    expect(ev).toEqual({
      id: 'ev_c1',
      platform: 'feishu',
      receivedAt: ctx.receivedAt,
      type: 'card_action',
      sender: { platform: 'feishu', userId: 'ou_wang', unionId: 'on_fake' },
      chat: { platform: 'feishu', chatId: 'oc_g', kind: 'group' },
      messageId: 'om_card1',
      command: 'ack',
      args: { taskId: 42 },
    })
  })

  it('turns a form submit into strings keyed by input name, dates as YYYY-MM-DD, empties omitted', () => {
    const ev = inbound(
      cardActionEvent({
        value: { cmd: 'submitReport', projectId: 7 },
        formValue: { progress: '80', due: '2026-12-01 +0800', note: '', kinds: ['a', 'b'], done: true, skip: null },
      }),
    )
    expect(ev).toMatchObject({
      type: 'card_action',
      command: 'submitReport',
      args: { projectId: 7 },
      form: { progress: '80', due: '2026-12-01', kinds: 'a,b', done: 'true' },
    })
  })

  it('asks chatKind whether the chat is a DM', () => {
    const ev = inbound(cardActionEvent({ value: { cmd: 'help' }, chatId: 'oc_dm' }), {
      chatKind: (id) => (id === 'oc_dm' ? 'direct' : undefined),
    })
    expect(ev).toMatchObject({ chat: { chatId: 'oc_dm', kind: 'direct' } })
  })

  it('returns null for values that are not our {cmd} (foreign or stale cards)', () => {
    expect(inbound(cardActionEvent({ value: { kind: 'report' } }))).toBeNull()
    expect(inbound(cardActionEvent({ value: { cmd: 'drop table;' } }))).toBeNull()
    expect(inbound(cardActionEvent({ value: { cmd: 42 } }))).toBeNull()
  })

  it('rejects a callback without operator with 400', () => {
    const body = cardActionEvent({ value: { cmd: 'help' } })
    delete (body.event as Record<string, unknown>).operator
    expect(() => inbound(body)).toThrow(WebhookPayloadError)
  })
})

describe('toInboundEvent: membership and first contact', () => {
  it('bot added to / removed from a group', () => {
    expect(inbound(botAddedEvent('oc_new', 'ou_admin', { eventId: 'ev_a' }))).toEqual({
      id: 'ev_a',
      platform: 'feishu',
      receivedAt: ctx.receivedAt,
      type: 'bot_added',
      chat: { platform: 'feishu', chatId: 'oc_new', kind: 'group', name: '重点项目调度群' },
      by: { platform: 'feishu', userId: 'ou_admin', unionId: 'on_a' },
    })
    expect(inbound(botRemovedEvent('oc_new'))).toMatchObject({ type: 'bot_removed', chat: { chatId: 'oc_new', kind: 'group' } })
  })

  it('p2p_chat_create is a first contact in a direct chat', () => {
    expect(inbound(p2pChatCreateEvent({ openId: 'ou_new', chatId: 'oc_p', name: '王五', uuid: 'u9' }))).toEqual({
      id: 'u9',
      platform: 'feishu',
      receivedAt: ctx.receivedAt,
      type: 'first_contact',
      sender: { platform: 'feishu', userId: 'ou_new', name: '王五' },
      chat: { platform: 'feishu', chatId: 'oc_p', kind: 'direct' },
    })
  })

  it('returns null for event types the bot does not handle and for url_verification', () => {
    expect(inbound(v2Event('im.message.reaction.created_v1', { message_id: 'om' }))).toBeNull()
    const hook: FeishuWebhook = { kind: 'url_verification', challenge: 'c' }
    expect(toInboundEvent(hook, ctx)).toBeNull()
  })
})

describe('formStrings', () => {
  it('keeps plain strings and numbers', () => {
    expect(formStrings({ a: 'x', b: 3, c: '  ' })).toEqual({ a: 'x', b: '3' })
  })
})

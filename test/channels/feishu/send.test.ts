/**
 * What is worth retrying: one table of Feishu failures and how the outbox should treat them.
 */
import { describe, expect, it } from 'vitest'
import { classifyFeishuError, receiveIdOf, targetOfChat, type FeishuFailure } from '../../../src/channels/feishu/send.ts'

describe('classifyFeishuError', () => {
  const cases: [string, FeishuFailure, { retryable: boolean; retryAfterMs?: number; code: number | string }][] = [
    [
      'app rate limit with reset header',
      { status: 429, code: 99991400, rateLimitReset: '7' },
      { retryable: true, retryAfterMs: 7000, code: 99991400 },
    ],
    ['app rate limit on an old API (HTTP 400)', { status: 400, code: 99991400 }, { retryable: true, retryAfterMs: 1000, code: 99991400 }],
    ['per-chat limit', { status: 400, code: 230020 }, { retryable: true, retryAfterMs: 1000, code: 230020 }],
    ['custom bot limit', { status: 400, code: 11232 }, { retryable: true, code: 11232 }],
    ['bare HTTP 429', { status: 429, rateLimitReset: 2 }, { retryable: true, retryAfterMs: 2000, code: 'http' }],
    ['HTTP 502 without body', { status: 502 }, { retryable: true, code: 'http' }],
    ['HTTP 500 with a code', { status: 500, code: 1500 }, { retryable: true, code: 1500 }],
    ['network', { networkError: 'ECONNREFUSED' }, { retryable: true, code: 'network' }],
    ['invalid token', { status: 400, code: 99991663 }, { retryable: true, code: 99991663 }],
    ['out of range', { status: 400, code: 230013 }, { retryable: false, code: 230013 }],
    ['stopped bot', { status: 400, code: 230053 }, { retryable: false, code: 230053 }],
    ['not in group', { status: 400, code: 230002 }, { retryable: false, code: 230002 }],
    ['bad card', { status: 400, code: 230099 }, { retryable: false, code: 230099 }],
    ['bad param', { status: 400, code: 230001 }, { retryable: false, code: 230001 }],
    ['unknown code', { status: 400, code: 123456 }, { retryable: false, code: 123456 }],
    ['HTTP 404', { status: 404 }, { retryable: false, code: 'http' }],
  ]
  it.each(cases)('%s', (_, failure, want) => {
    const r = classifyFeishuError(failure)
    expect(r).toMatchObject({ ok: false, ...want })
    expect(r.reason.length).toBeGreaterThan(0)
  })

  it('gives permanent errors a Chinese reason that keeps Feishu’s message', () => {
    const r = classifyFeishuError({ status: 400, code: 230013, msg: 'Bot has NO availability to this user.' })
    expect(r.reason).toBe('该用户不在应用的可用范围内，请在开发者后台调整可用范围（230013: Bot has NO availability to this user.）')
  })
})

describe('targets', () => {
  it('maps targets and chats to receive ids', () => {
    expect(receiveIdOf({ openId: 'ou_1' })).toEqual({ receive_id_type: 'open_id', receive_id: 'ou_1' })
    expect(receiveIdOf({ chatId: 'oc_1' })).toEqual({ receive_id_type: 'chat_id', receive_id: 'oc_1' })
    expect(targetOfChat({ platform: 'feishu', chatId: 'oc_1', kind: 'direct' })).toEqual({ chatId: 'oc_1' })
    expect(targetOfChat({ platform: 'feishu', chatId: 'ou_1', kind: 'direct' })).toEqual({ openId: 'ou_1' })
  })
})

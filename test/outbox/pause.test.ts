import { describe, expect, it } from 'vitest'
import { CONFIG_ERROR_CODES, createPauses, isConfigError } from '../../src/outbox/pause.ts'
import { classifyFeishuError, FEISHU_CONFIG_ERROR_CODES } from '../../src/channels/feishu/send.ts'

describe('configuration errors', () => {
  it('Feishu marks its configuration codes config: true, and the outbox knows the same codes', () => {
    expect([...CONFIG_ERROR_CODES.feishu!].sort()).toEqual([...FEISHU_CONFIG_ERROR_CODES].sort())
    for (const code of FEISHU_CONFIG_ERROR_CODES) {
      const r = classifyFeishuError({ status: 400, code, msg: 'x' })
      expect(r).toMatchObject({ ok: false, retryable: false, config: true, code })
      expect(isConfigError('feishu', r)).toBe(true)
      // A sender that passes on only the code (or only the reason text) is read the same way.
      expect(isConfigError('feishu', { ok: false, code, reason: r.reason })).toBe(true)
    }
    expect(classifyFeishuError({ status: 400, code: 10014, msg: 'app secret invalid' }).reason).toBe(
      '应用密钥（App Secret）无效（10014: app secret invalid）',
    )
  })

  it('per-message failures and rate limits are not configuration errors', () => {
    for (const code of [230013, 230002, 230053, 230099, 230001, 99991400, 230020, 99991663]) {
      const r = classifyFeishuError({ status: 400, code })
      expect(r.config).toBeUndefined()
      expect(isConfigError('feishu', r)).toBe(false)
    }
    expect(isConfigError('wecom', { ok: false, code: 10014, reason: '' })).toBe(false)
    expect(isConfigError('wecom', { ok: false, config: true, code: 40001, reason: '' })).toBe(true)
    expect(classifyFeishuError({ networkError: 'ECONNREFUSED' }).config).toBeUndefined()
  })
})

describe('pauses', () => {
  it('holds a platform until its time, keeps when it began across re-pauses, and lifts on success', () => {
    const p = createPauses()
    expect(p.remaining('feishu', 0)).toBe(0)
    expect(p.pause('feishu', 1000, 61_000, 'bad secret', 10014)).toBe(true)
    expect(p.remaining('feishu', 31_000)).toBe(30_000)
    expect(p.remaining('wecom', 31_000)).toBe(0)
    expect(p.remaining('feishu', 61_000)).toBe(0)
    expect(p.pause('feishu', 61_000, 121_000, 'bad secret', 10014)).toBe(false)
    expect(p.get('feishu')).toEqual({ platform: 'feishu', since: 1000, until: 121_000, reason: 'bad secret', code: 10014 })
    expect(p.lift('feishu')).toMatchObject({ since: 1000 })
    expect(p.get('feishu')).toBeUndefined()
    expect(p.remaining('feishu', 100_000)).toBe(0)
  })
})

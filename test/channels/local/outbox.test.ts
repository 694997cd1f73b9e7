import { describe, expect, it } from 'vitest'
import { localOutboxSender } from '../../../src/channels/local/outbox.ts'

describe('local outbox sender', () => {
  it('marks local rows delivered and refuses anything else', async () => {
    const send = localOutboxSender()
    expect(await send({ platform: 'local', address: 'person:12', key: 'in:local:x:0' })).toEqual({ ok: true, messageId: 'local:in:local:x:0' })
    expect(await send({ platform: 'local', address: 'group:3', key: 'k' })).toMatchObject({ ok: true })
    expect(await send({ platform: 'feishu', address: 'ou_1', key: 'k' })).toMatchObject({ ok: false, retryable: false })
  })
})

/**
 * WeCom callback crypto on the official vectors (research/wecom.md §2): signatures, decryption with WeCom's
 * 32-byte PKCS#7 (vector A has pad 30, which plain WebCrypto refuses), the receiveid check, encryption, and
 * what forged, foreign or truncated input does. Both AES implementations (WebCrypto's extra-block trick and
 * node:crypto without auto padding) are run on every case.
 */
import { nodeSha1Hex } from '../../../src/runtime/node/aes.ts'
import { describe, expect, it } from 'vitest'
import {
  decryptWecom,
  encryptWecom,
  verifyWecomSignature,
  webCryptoRawAes,
  wecomKeys,
  wecomSignature,
  WebhookAuthError,
  type RawAesCbc,
} from '../../../src/channels/wecom/crypto.ts'
import { nodeWecomAes } from '../../../src/runtime/node/wecom.ts'
import { A, B, C, D } from './vectors.ts'

const impls: [string, RawAesCbc][] = [
  ['WebCrypto', webCryptoRawAes],
  ['node:crypto', nodeWecomAes],
]

describe('msg_signature', () => {
  it('matches the official vectors (URL verification and POST)', () => {
    expect(wecomSignature(A.token, A.verify.timestamp, A.verify.nonce, A.verify.echostr)).toBe(A.verify.signature)
    expect(wecomSignature(A.token, A.post.timestamp, A.post.nonce, A.post.encrypt)).toBe(A.post.signature)
    expect(wecomSignature(B.token, B.verify.timestamp, B.verify.nonce, B.verify.echostr)).toBe(B.verify.signature)
    expect(wecomSignature(B.token, B.post.timestamp, B.post.nonce, B.post.encrypt)).toBe(B.post.signature)
    expect(wecomSignature(C.token, C.post.timestamp, C.post.nonce, C.post.encrypt)).toBe(C.post.signature)
    expect(wecomSignature(A.token, D.timestamp, D.nonce, D.encrypt)).toBe(D.signature)
  })

  it('matches the official vectors with the Node runtime’s SHA-1 too', () => {
    for (const [token, v] of [
      [A.token, A.verify],
      [A.token, { ...A.post, echostr: A.post.encrypt }],
      [B.token, { ...B.post, echostr: B.post.encrypt }],
      [A.token, { ...D, echostr: D.encrypt }],
    ] as const)
      expect(wecomSignature(token, v.timestamp, v.nonce, v.echostr, nodeSha1Hex)).toBe(v.signature)
  })

  it('refuses a forged, missing or other-token signature', () => {
    expect(verifyWecomSignature(A.token, A.post.timestamp, A.post.nonce, A.post.encrypt, A.post.signature)).toBe(true)
    expect(verifyWecomSignature(A.token, A.post.timestamp, A.post.nonce, A.post.encrypt, A.post.signature.toUpperCase())).toBe(true)
    expect(verifyWecomSignature(A.token, A.post.timestamp, A.post.nonce, A.post.encrypt, '0' + A.post.signature.slice(1))).toBe(false)
    expect(verifyWecomSignature(A.token, A.post.timestamp, A.post.nonce, A.post.encrypt, undefined)).toBe(false)
    expect(verifyWecomSignature('other', A.post.timestamp, A.post.nonce, A.post.encrypt, A.post.signature)).toBe(false)
    expect(verifyWecomSignature(A.token, '1409659814', A.post.nonce, A.post.encrypt, A.post.signature)).toBe(false)
  })
})

describe.each(impls)('decrypt (%s)', (_, aes) => {
  it("opens vector A (echostr pad 7, message pad 30 — above WebCrypto's 16)", async () => {
    const k = wecomKeys(A.aesKey)
    expect(await decryptWecom(k, A.verify.echostr, A.corpId, aes)).toEqual({ msg: A.verify.reply, receiveId: A.corpId })
    expect(await decryptWecom(k, A.post.encrypt, A.corpId, aes)).toEqual({ msg: A.post.plain, receiveId: A.corpId })
  })

  it('opens vector B (Chinese text, pad 22) and vector C (JSON, pad 22)', async () => {
    expect(await decryptWecom(wecomKeys(B.aesKey), B.verify.echostr, B.corpId, aes)).toEqual({ msg: B.verify.reply, receiveId: B.corpId })
    expect((await decryptWecom(wecomKeys(B.aesKey), B.post.encrypt, B.corpId, aes)).msg).toBe(B.post.plain)
    expect((await decryptWecom(wecomKeys(C.aesKey), C.post.encrypt, C.corpId, aes)).msg).toBe(C.post.plain)
  })

  it('round-trips every pad length 1..32', async () => {
    const k = wecomKeys(A.aesKey)
    const pads = new Set<number>()
    for (let n = 0; n < 32; n++) {
      const msg = '测'.repeat(n % 3) + 'x'.repeat(n)
      const enc = await encryptWecom(k, msg, A.corpId)
      const total = 20 + new TextEncoder().encode(msg).length + A.corpId.length
      pads.add(32 - (total % 32))
      expect(await decryptWecom(k, enc, A.corpId, aes)).toEqual({ msg, receiveId: A.corpId })
    }
    expect(Math.max(...pads)).toBeGreaterThan(16)
  })

  it('refuses a wrong corp id, a wrong key, truncated or tampered ciphertext with 401', async () => {
    const k = wecomKeys(A.aesKey)
    const refused = async (p: Promise<unknown>) => {
      const e = await p.then(
        () => undefined,
        (x: unknown) => x,
      )
      expect(e).toBeInstanceOf(WebhookAuthError)
      expect((e as WebhookAuthError).status).toBe(401)
    }
    await refused(decryptWecom(k, A.post.encrypt, 'ww_other_corp', aes))
    await refused(decryptWecom(wecomKeys(B.aesKey), A.post.encrypt, A.corpId, aes))
    await refused(decryptWecom(k, A.post.encrypt.slice(0, 40), A.corpId, aes)) // not whole blocks
    await refused(decryptWecom(k, btoa(atob(A.post.encrypt).slice(0, 64)), A.corpId, aes)) // whole blocks, cut short
    await refused(decryptWecom(k, 'not base64 at all!', A.corpId, aes))
    const bytes = Uint8Array.from(atob(A.post.encrypt), (c) => c.charCodeAt(0))
    bytes[bytes.length - 20]! ^= 0x55 // the last block's padding goes wrong
    await refused(decryptWecom(k, btoa(String.fromCharCode(...bytes)), A.corpId, aes))
  })
})

describe('encrypt', () => {
  it('reproduces vector D byte for byte with a fixed random', async () => {
    expect(await encryptWecom(wecomKeys(A.aesKey), D.plain, A.corpId, D.random)).toBe(D.encrypt)
  })

  it('refuses an EncodingAESKey that is not 43 letters and digits', () => {
    expect(() => wecomKeys('short')).toThrow(RangeError)
    expect(() => wecomKeys(A.aesKey.slice(0, 42) + '+')).toThrow(RangeError)
  })
})

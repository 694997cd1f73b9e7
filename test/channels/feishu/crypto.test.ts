/**
 * The crypto layer against the verbatim vectors of feishu.md §2 and the SDK bug of §0.2, for both AES
 * implementations: WebCrypto (the core's default, Workers) and node:crypto (what npm start uses).
 */
import { describe, expect, it } from 'vitest'
import {
  WebhookAuthError,
  aesKeyBytes,
  decrypt,
  encrypt,
  sha256Hex,
  timingSafeEqual,
  verifySignature,
  webCryptoAes,
  type AesCbc,
} from '../../../src/channels/feishu/crypto.ts'
import { createCipheriv } from 'node:crypto'
import { nodeAes, nodeSha256Hex } from '../../../src/runtime/node/aes.ts'

// Vector A: official doc vector.
const KEY_A = 'test key'
const ENC_A = 'P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk='
// Vector B: official Go SDK TestDecryptEvent (plaintext contains 张三; 428 chars).
const KEY_B = '1212121212'
const ENC_B =
  'bZ3L7yh6m3Fkuffl4g+3uGjIHnhOm5fVZbKVuyT8t7tcd5ABMYm8l28/X900ZL3knZ7n+sCREu/H2WnIzft0amC7+xWqNH8o25IU63N4BnZWfHh+4hyG76QPd19vkw2bPJCx9aqxK8Nz+xqFNbk0RdgyWhmgd30jSxHtcQXAllkI7FMpGpOCteJad3bLXPDBQIV/xkCtKICCS7Z63gakpxZCLaRZ3qCXP1fapHh+LBIupxenrU6ysc7I3nHmjmKie41IiWwS5puG4zQHhVbq6KWLcgWm/3NBZOPQy53ucMu75SXA55I7jarVLZXWUcqBGrcgE3vouWbtwgZuzmoTQl0GSh5VYSVvpW992BuGxUWj0XjPYdICJm6Cr7xouNXwMcdb7N8caVdkdSZeEnswG19qSyDoQhklwzNGW0yiaayulBqJNjfge/G5V3401c2XaIuAeEIo+QQ4RSNpRGfnHkbu/j55FGQAGWjpuBNaIwZbaUoVP3NkGP+vM5rpEDe3sL2GN+Xsd+g9yBs7FqdMV8mXTGgLjCqjrPrke5/km76Q3Pe6KPs2YexMRG4MkSx3xUTzZnNn7zIzShPcjeSwBd2pxk6ht5N+fzueZdxl6Oo='
const PLAIN_B =
  '{"schema":"2.0","header":{"event_id":"f7984f25108f8137722bb63cee927e66","event_type":"contact.user.created_v3","app_id":"cli_xxxxxxxx","tenant_key":"xxxxxxx","create_time":"1603977298000000","token":"v"},"event":{"object":{"open_id":"ou_7dab8a3d3cdcc9da365777c7ad535d62","union_id":"on_576833b917gda3d939b9a3c2d53e72c8","user_id":"e33ggbyz","name":"张三","employee_no":"employee_no"}},"challenge":"1212","type":"url_verification"}'

const hex = (s: string) => new Uint8Array(s.match(/../g)!.map((h) => parseInt(h, 16)))

describe.each([
  ['WebCrypto', webCryptoAes],
  ['node:crypto', nodeAes],
] as [string, AesCbc][])('decrypt with %s AES', (_, aes) => {
  it('decrypts the official doc vector A to "hello world"', async () => {
    expect(await decrypt(KEY_A, ENC_A, aes)).toBe('hello world')
  })

  it('decrypts the Go SDK vector B to its 428-char plaintext with 张三', async () => {
    const plain = await decrypt(KEY_B, ENC_B, aes)
    expect(plain).toBe(PLAIN_B)
    expect(plain).toHaveLength(428)
    expect(JSON.parse(plain).event.object.name).toBe('张三')
  })

  it('reproduces vector A from its IV', async () => {
    expect(await encrypt(KEY_A, 'hello world', hex('3f7ef0f9564898d80f10ed5106127a46'))).toBe(ENC_A)
  })

  it('round-trips Chinese where a multi-byte character straddles an AES block boundary, at every alignment', async () => {
    const iv = hex('00112233445566778899aabbccddeeff')
    const enc = new TextEncoder()
    let naiveBroke = 0
    for (let pad = 0; pad < 16; pad++) {
      const text = JSON.stringify({ text: 'x'.repeat(pad) + '已完成已完成，进度百分之八十，请领导审阅' })
      const bytes = enc.encode(text)
      // The last block boundary of the ciphertext falls inside a 3-byte character for some pads: that is the
      // update/final split where the SDK's chunked decode produced U+FFFD on Workers (feishu.md §0.2).
      // Node's decipher.update() holds back the last block (it may be padding); final() returns the rest.
      const split = Math.floor(bytes.length / 16) * 16
      const naive = new TextDecoder().decode(bytes.slice(0, split)) + new TextDecoder().decode(bytes.slice(split))
      if (naive !== text) naiveBroke++
      const b64 = await encrypt('密钥 key', text, iv)
      expect(await decrypt('密钥 key', b64, aes)).toBe(text)
    }
    // The payload really exercises the bug: chunk-wise decoding breaks at some alignments.
    expect(naiveBroke).toBeGreaterThan(0)
  })

  it('round-trips with a random IV and an empty plaintext', async () => {
    expect(await decrypt('k', await encrypt('k', '调度'), aes)).toBe('调度')
    expect(await decrypt('k', await encrypt('k', ''), aes)).toBe('')
  })

  it('rejects a wrong key with WebhookAuthError', async () => {
    await expect(decrypt('wrong key', ENC_A, aes)).rejects.toBeInstanceOf(WebhookAuthError)
    await expect(decrypt('1212121213', ENC_B, aes)).rejects.toBeInstanceOf(WebhookAuthError)
  })

  it('rejects tampered ciphertext, truncation and garbage with WebhookAuthError', async () => {
    const bytes = Uint8Array.from(atob(ENC_B), (c) => c.charCodeAt(0))
    const flip = (i: number) => {
      const b = bytes.slice()
      b[i] = (b[i] ?? 0) ^ 0x5a
      return btoa(String.fromCharCode(...b))
    }
    // A flipped byte in the second-to-last block garbles the padding block; in the last block, the padding.
    await expect(decrypt(KEY_B, flip(bytes.length - 20), aes)).rejects.toBeInstanceOf(WebhookAuthError)
    await expect(decrypt(KEY_B, flip(bytes.length - 1), aes)).rejects.toBeInstanceOf(WebhookAuthError)
    await expect(decrypt(KEY_B, btoa(String.fromCharCode(...bytes.slice(0, 40))), aes)).rejects.toBeInstanceOf(WebhookAuthError)
    await expect(decrypt(KEY_B, 'not base64 !!', aes)).rejects.toBeInstanceOf(WebhookAuthError)
    await expect(decrypt(KEY_B, btoa('short'), aes)).rejects.toBeInstanceOf(WebhookAuthError)
    const err = await decrypt('wrong', ENC_A, aes).catch((e: unknown) => e)
    expect(err).toMatchObject({ status: 401 })
  })
  it('decodes Chinese intact at every block alignment of a long, multi-block plaintext', async () => {
    const iv = hex('0f0e0d0c0b0a09080706050403020100')
    for (let pad = 0; pad < 48; pad++) {
      const text = JSON.stringify({ text: '·'.repeat(pad % 3) + 'x'.repeat(pad) + '调度'.repeat(40) + '，本月完成投资1200万元' })
      expect(await decrypt('密钥 key', await encrypt('密钥 key', text, iv), aes)).toBe(text)
    }
  })

  it('accepts base64 with line breaks, as some proxies wrap it', async () => {
    const wrapped = ENC_B.replace(/(.{76})/g, '$1\n')
    expect(await decrypt(KEY_B, wrapped, aes)).toBe(PLAIN_B)
  })
})

describe('the AesCbc implementations', () => {
  it('give WebCrypto and node:crypto the same plaintext for the same key, IV and ciphertext', async () => {
    const key = aesKeyBytes('same key')
    for (const len of [0, 1, 15, 16, 17, 31, 32, 33, 1000, 4095]) {
      const plain = new Uint8Array(len).map((_, i) => (i * 31 + len) & 0xff)
      const iv = new Uint8Array(16).map((_, i) => i * 7 + len)
      const cryptoKey = await crypto.subtle.importKey('raw', key as Uint8Array<ArrayBuffer>, 'AES-CBC', false, ['encrypt'])
      const data = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-CBC', iv }, cryptoKey, plain))
      expect(data.length).toBe((Math.floor(len / 16) + 1) * 16) // PKCS#7 always pads
      const viaWeb = await webCryptoAes.decrypt(key, iv, data)
      const viaNode = await nodeAes.decrypt(key, iv, data)
      expect([...viaWeb]).toEqual([...plain])
      expect([...viaNode]).toEqual([...plain])
    }
  })

  it('both refuse bad padding by throwing', async () => {
    const key = aesKeyBytes('same key')
    const iv = new Uint8Array(16)
    const cryptoKey = await crypto.subtle.importKey('raw', key as Uint8Array<ArrayBuffer>, 'AES-CBC', false, ['encrypt'])
    const data = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-CBC', iv }, cryptoKey, new TextEncoder().encode('调度助手')))
    const wrongKey = aesKeyBytes('other key')
    await expect(Promise.resolve().then(() => webCryptoAes.decrypt(wrongKey, iv, data))).rejects.toThrow()
    expect(() => nodeAes.decrypt(wrongKey, iv, data)).toThrow()
  })

  it.each([
    ['a zero pad byte', [0]],
    ['a pad byte over 16', [17]],
    ['pad bytes that disagree', [3, 3, 2]],
    ['pad bytes that disagree far back', [16, ...Array<number>(14).fill(16), 15].reverse()],
  ])('both refuse %s', async (_, tail) => {
    const key = aesKeyBytes('pad key')
    const iv = new Uint8Array(16).fill(9)
    const plain = new Uint8Array(32).fill(0x41)
    plain.set(tail, 32 - tail.length)
    const c = createCipheriv('aes-256-cbc', key, iv).setAutoPadding(false)
    const data = new Uint8Array(Buffer.concat([c.update(plain), c.final()]))
    await expect(Promise.resolve().then(() => webCryptoAes.decrypt(key, iv, data))).rejects.toThrow()
    expect(() => nodeAes.decrypt(key, iv, data)).toThrow()
    // …and both take the same blocks with a good pad of 16
    plain.fill(16, 16)
    const c2 = createCipheriv('aes-256-cbc', key, iv).setAutoPadding(false)
    const good = new Uint8Array(Buffer.concat([c2.update(plain), c2.final()]))
    expect([...(await webCryptoAes.decrypt(key, iv, good))]).toEqual([...plain.subarray(0, 16)])
    expect([...(await nodeAes.decrypt(key, iv, good))]).toEqual([...plain.subarray(0, 16)])
  })

  it('node:crypto answers synchronously (no thread-pool hop); the derived key is one object per Encrypt Key', () => {
    expect(aesKeyBytes('k1')).toBe(aesKeyBytes('k1'))
    expect(aesKeyBytes('k1')).not.toBe(aesKeyBytes('k2'))
    const bytes = Uint8Array.from(atob(ENC_A), (c) => c.charCodeAt(0))
    const out = nodeAes.decrypt(aesKeyBytes(KEY_A), bytes.subarray(0, 16), bytes.subarray(16))
    expect(out).toBeInstanceOf(Uint8Array)
    expect(new TextDecoder().decode(out as Uint8Array)).toBe('hello world')
  })
})

describe('verifySignature', () => {
  it('accepts vector C1 (doc vector A body)', async () => {
    const input = {
      timestamp: '1700000000',
      nonce: 'abc123',
      encryptKey: 'test key',
      rawBody: '{"encrypt":"P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk="}',
      signature: '69c61fa99760d59824d588297c0036194769fb54331682c9cbcd93e85b9a8aad',
    }
    expect(await verifySignature(input)).toBe(true)
  })

  it('accepts vector C2 (Go SDK TestVerifySignOk inputs over plaintext B)', async () => {
    const input = {
      timestamp: 'timestamp',
      nonce: 'nonce',
      encryptKey: '1212121212',
      rawBody: PLAIN_B,
      signature: '4dca085198cb3216defc5b65b0668c1328b038a22dbadf2bc6c4fdc3d32bbc45',
    }
    expect(await verifySignature(input)).toBe(true)
  })

  it('rejects any change to timestamp, nonce, key, body or signature', async () => {
    const good = {
      timestamp: '1700000000',
      nonce: 'abc123',
      encryptKey: 'test key',
      rawBody: '{"encrypt":"P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk="}',
      signature: '69c61fa99760d59824d588297c0036194769fb54331682c9cbcd93e85b9a8aad',
    }
    expect(await verifySignature({ ...good, timestamp: '1700000001' })).toBe(false)
    expect(await verifySignature({ ...good, nonce: 'abc124' })).toBe(false)
    expect(await verifySignature({ ...good, encryptKey: 'test kez' })).toBe(false)
    expect(await verifySignature({ ...good, rawBody: good.rawBody + ' ' })).toBe(false)
    expect(await verifySignature({ ...good, signature: good.signature.replace(/.$/, '0') })).toBe(false)
    expect(await verifySignature({ ...good, signature: '' })).toBe(false)
    expect(await verifySignature({ ...good, signature: good.signature.slice(0, 10) })).toBe(false)
  })

  it('hashes the raw body, so a re-serialised body with other spacing does not verify', async () => {
    const rawBody = '{ "encrypt": "P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk=" }'
    const signature = await sha256Hex('1' + 'n' + 'k' + rawBody)
    expect(await verifySignature({ timestamp: '1', nonce: 'n', encryptKey: 'k', rawBody, signature })).toBe(true)
    const reserialised = JSON.stringify(JSON.parse(rawBody))
    expect(await verifySignature({ timestamp: '1', nonce: 'n', encryptKey: 'k', rawBody: reserialised, signature })).toBe(false)
  })
})

describe('the Sha256Hex implementations', () => {
  it('node:crypto and @noble/hashes agree, on ASCII, Chinese, empty and long input', () => {
    for (const text of ['', 'abc', '调度助手 张三', PLAIN_B, '已完成'.repeat(10_000), '\u{1F600} surrogate pair']) {
      expect(nodeSha256Hex(text)).toBe(sha256Hex(text))
    }
    expect(nodeSha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
  })

  it('verifies vectors C1 and C2 with node:crypto’s hash too', () => {
    const c1 = {
      timestamp: '1700000000',
      nonce: 'abc123',
      encryptKey: 'test key',
      rawBody: '{"encrypt":"P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk="}',
      signature: '69c61fa99760d59824d588297c0036194769fb54331682c9cbcd93e85b9a8aad',
    }
    expect(verifySignature(c1, nodeSha256Hex)).toBe(true)
    expect(verifySignature({ ...c1, nonce: 'abc124' }, nodeSha256Hex)).toBe(false)
    const c2 = {
      timestamp: 'timestamp',
      nonce: 'nonce',
      encryptKey: '1212121212',
      rawBody: PLAIN_B,
      signature: '4dca085198cb3216defc5b65b0668c1328b038a22dbadf2bc6c4fdc3d32bbc45',
    }
    expect(verifySignature(c2, nodeSha256Hex)).toBe(true)
  })
})

describe('timingSafeEqual', () => {
  it.each([
    ['abc', 'abc', true],
    ['abc', 'abd', false],
    ['abc', 'ab', false],
    ['', '', true],
    ['令牌', '令牌', true],
    ['令牌', '令', false],
  ])('%s vs %s → %s', (a, b, want) => {
    expect(timingSafeEqual(a, b)).toBe(want)
  })
})

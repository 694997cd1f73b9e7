/**
 * The webhook's crypto on node:crypto: the envelope's AES-256-CBC (`nodeAes`) and the signature's SHA-256
 * (`nodeSha256Hex`, OpenSSL's, ~4× @noble/hashes on a 1.5 KB body). The AES is synchronous, so a webhook is
 * decrypted in the event-loop turn that received it, with no hop to the thread pool (WebCrypto's
 * `subtle.decrypt` on Node costs ~50 µs of latency per call for that hop; this does a 1 KB event in ~3 µs). `npm start` and bench:webhook
 * hand both to the Feishu routes (`secrets.aes`, `secrets.sha256Hex`); the core's defaults stay WebCrypto and
 * @noble/hashes (Workers).
 *
 * The decipher is made once per Encrypt Key: the core passes the same 32-byte Uint8Array for the same key
 * (`aesKeyBytes`), so it is cached by that object.
 *
 * The plaintext is returned whole and decoded as UTF-8 by the core in one piece, so a character straddling
 * the last block (the SDK's bug, feishu.md §0.2: update/final decoded separately) cannot be split.
 *
 * @example
 *   feishuRoutes({ …, secrets: { encryptKey, aes: nodeAes, sha256Hex: nodeSha256Hex } })
 */
import { createDecipheriv, createSecretKey, hash, type Decipheriv } from 'node:crypto'
import type { AesCbc, Sha256Hex } from '../../channels/feishu/index.ts'
import type { Sha1Hex } from '../../channels/wecom/crypto.ts'
import { fromBase64 } from '../../lib/bytes.ts'

// One AES-256-ECB decipher per key, without padding, made once. ECB with whole blocks and no padding keeps no
// state between update() calls, so it is reused; CBC is the XOR with the previous ciphertext block (the IV
// for the first). That saves createDecipheriv's ~3 µs per webhook (half the cost of a 1 KB event).
const deciphers = new WeakMap<Uint8Array, Decipheriv>()

function ecbDecipher(key: Uint8Array): Decipheriv {
  let d = deciphers.get(key)
  if (!d) {
    if (key.length !== 32) throw new RangeError('AES-256 needs a 32-byte key')
    d = createDecipheriv('aes-256-ecb', createSecretKey(key), null)
    d.setAutoPadding(false)
    deciphers.set(key, d)
  }
  return d
}

/**
 * AES-256-CBC with PKCS#7 through node:crypto; throws on bad padding (wrong key, tampered data). The padding
 * check is not constant-time: the signature has been verified before anything is decrypted (only a small
 * unsigned url_verification is decrypted unverified, and every failure gets the same 401), so there is no
 * padding oracle to read.
 */
export const nodeAes: AesCbc = {
  decrypt(key, iv, data) {
    if (iv.length !== 16 || data.length === 0 || data.length % 16 !== 0) throw new RangeError('AES-CBC needs a 16-byte IV and whole blocks')
    const out = ecbDecipher(key).update(data)
    if (out.length !== data.length) throw new Error('AES-ECB returned a partial block')
    for (let i = 0; i < 16; i++) out[i]! ^= iv[i]!
    for (let i = 16; i < out.length; i++) out[i]! ^= data[i - 16]!
    const pad = out[out.length - 1]!
    if (pad < 1 || pad > 16) throw new Error('bad PKCS#7 padding')
    for (let i = out.length - pad; i < out.length - 1; i++) if (out[i] !== pad) throw new Error('bad PKCS#7 padding')
    return out.subarray(0, out.length - pad)
  },
  /**
   * Buffer's decoder, which skips what is not base64 instead of refusing it: a result shorter than the text's
   * length promises (a character skipped) goes to the core's strict decoder, which refuses it (or, for
   * whitespace, decodes it). Base64url's '-' and '_' pass; the signature was checked before this.
   */
  fromBase64(b64) {
    const out = Buffer.from(b64, 'base64')
    let chars = b64.length
    if (chars % 4 === 0 && chars > 0 && b64.charCodeAt(chars - 1) === 0x3d) chars -= b64.charCodeAt(chars - 2) === 0x3d ? 2 : 1
    return out.length === Math.floor((chars * 3) / 4) && chars % 4 !== 1 ? out : fromBase64(b64)
  },
}

/** Lower-case hex SHA-256 of the UTF-8 bytes of `text` (the Feishu signature), node:crypto's one-shot hash. */
export const nodeSha256Hex: Sha256Hex = (text) => hash('sha256', text, 'hex')

/** Lower-case hex SHA-1 of the UTF-8 bytes of `text` (the WeCom msg_signature), node:crypto's one-shot hash. */
export const nodeSha1Hex: Sha1Hex = (text) => hash('sha1', text, 'hex')

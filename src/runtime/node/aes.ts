/**
 * The webhook's crypto on node:crypto: the envelope's AES-256-CBC (`nodeAes`) and the signature's SHA-256
 * (`nodeSha256Hex`, OpenSSL's, ~4× @noble/hashes on a 1.5 KB body). The AES is synchronous, so a webhook is decrypted in the event-loop
 * turn that received it, with no hop to the thread pool (WebCrypto's `subtle.decrypt` on Node costs ~50 µs of
 * latency per call for that hop; node:crypto does a 1.5 KB event in a few µs). `npm start` and bench:webhook
 * hand both to the Feishu routes (`secrets.aes`, `secrets.sha256Hex`); the core's defaults stay WebCrypto and
 * @noble/hashes (Workers).
 *
 * The key object is made once per Encrypt Key: the core passes the same 32-byte Uint8Array for the same key
 * (`aesKeyBytes`), so it is cached by that object.
 *
 * The plaintext is returned whole (`update` and `final` concatenated) and decoded as UTF-8 by the core in one
 * piece, so a character straddling the last block (the SDK's bug, feishu.md §0.2) cannot be split.
 *
 * @example
 *   feishuRoutes({ …, secrets: { encryptKey, aes: nodeAes, sha256Hex: nodeSha256Hex } })
 */
import { createDecipheriv, createHash, createSecretKey, type KeyObject } from 'node:crypto'
import type { AesCbc, Sha256Hex } from '../../channels/feishu/index.ts'

const keys = new WeakMap<Uint8Array, KeyObject>()

function keyObject(key: Uint8Array): KeyObject {
  let k = keys.get(key)
  if (!k) {
    if (key.length !== 32) throw new RangeError('AES-256 needs a 32-byte key')
    k = createSecretKey(key)
    keys.set(key, k)
  }
  return k
}

/** AES-256-CBC with PKCS#7 through node:crypto; throws on bad padding (wrong key, tampered data). */
export const nodeAes: AesCbc = {
  decrypt(key, iv, data) {
    const d = createDecipheriv('aes-256-cbc', keyObject(key), iv)
    const head = d.update(data)
    const tail = d.final()
    if (head.length === 0) return tail
    if (tail.length === 0) return head
    return Buffer.concat([head, tail], head.length + tail.length)
  },
}

/** Lower-case hex SHA-256 of the UTF-8 bytes of `text` (the webhook signature), through node:crypto. */
export const nodeSha256Hex: Sha256Hex = (text) => createHash('sha256').update(text, 'utf8').digest('hex')

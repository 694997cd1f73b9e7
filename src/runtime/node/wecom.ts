/**
 * Starting the WeCom (企业微信) channel on Node, and its node:crypto AES.
 */
import { createDecipheriv, createSecretKey } from 'node:crypto'
import type { RawAesCbc } from '../../channels/wecom/crypto.ts'

/**
 * AES-256-CBC without auto padding through node:crypto (synchronous: no thread-pool hop per callback);
 * WeCom's 32-byte PKCS#7 is checked by the core (`decryptWecom`).
 */
export const nodeWecomAes: RawAesCbc = {
  decryptRaw(key, iv, data) {
    if (key.length !== 32 || iv.length !== 16 || data.length === 0 || data.length % 16 !== 0) throw new RangeError('AES-256-CBC needs a 32-byte key, a 16-byte IV and whole blocks')
    const d = createDecipheriv('aes-256-cbc', createSecretKey(key), iv)
    d.setAutoPadding(false)
    const a = d.update(data)
    const b = d.final()
    return b.length ? new Uint8Array(Buffer.concat([a, b])) : new Uint8Array(a.buffer, a.byteOffset, a.byteLength)
  },
}

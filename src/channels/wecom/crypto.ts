/**
 * WeCom (企业微信) callback security, WXBizMsgCrypt (research/wecom.md §1): the `msg_signature` and the
 * AES-256-CBC envelope of every callback.
 *
 * - `msg_signature = sha1_hex(sort([token, timestamp, nonce, encrypt]).join(''))`: the four strings sorted
 *   lexicographically, concatenated, SHA-1 (@noble/hashes, synchronous), lower-case hex; compared in constant time.
 * - `AESKey = base64(EncodingAESKey + '=')` (32 bytes), `IV = AESKey[0..16)`, PKCS#7 padding to a multiple of
 *   **32** bytes (pad value 1..32), plaintext `random(16) ‖ msg_len(4, big-endian) ‖ msg ‖ receiveid`; the
 *   receiveid must be our corp id.
 *
 * WebCrypto's AES-CBC insists on 16-byte PKCS#7 and throws on a pad value above 16 (about half of WeCom's
 * payloads, e.g. official vector A with pad 30). The default `webCryptoRawAes` appends one ciphertext block
 * `E_K(C_last XOR 0x10…)` — what `subtle.encrypt` of nothing with `iv = C_last` returns — so WebCrypto finds a
 * full block of its own padding to strip, and returns WeCom's padded plaintext whole (research §0.2, checked
 * against the official vectors). Node hands in node:crypto's decipher without auto padding instead
 * (`nodeWecomAes` in src/runtime/node/wecom.ts): the seam is `RawAesCbc`.
 *
 * Runtime-agnostic: WebCrypto, TextEncoder/TextDecoder, atob/btoa, @noble/hashes.
 *
 * @example
 *   const keys = wecomKeys(encodingAesKey)
 *   if (!verifyWecomSignature(token, timestamp, nonce, encrypt, signature)) throw new WebhookAuthError('bad signature')
 *   const msg = await decryptWecom(keys, encrypt, corpId)
 */
import { sha1 } from '@noble/hashes/legacy.js'
import { WebhookAuthError, timingSafeEqual } from '../feishu/crypto.ts'
import { fromBase64, toBase64, toHex } from '../../lib/bytes.ts'

export { WebhookAuthError }

const encoder = new TextEncoder()
const strictUtf8 = new TextDecoder('utf-8', { fatal: true })

/**
 * AES-256-CBC decryption *without* removing any padding (whole 16-byte blocks in, the same number of bytes
 * out): WeCom's own 32-byte padding is checked by `decryptWecom`. May be synchronous (node:crypto) or not.
 * `key` is the same Uint8Array object for the same EncodingAESKey every time (see `wecomKeys`), so an
 * implementation may cache what it imports from it keyed by that object.
 */
export interface RawAesCbc {
  decryptRaw(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array | Promise<Uint8Array>
}

/** An app's AES key, derived once from its EncodingAESKey. */
export interface WecomKeys {
  /** The 32-byte AES-256 key. */
  key: Uint8Array
  /** Its first 16 bytes: WeCom's IV. */
  iv: Uint8Array
}

const keyCache = new Map<string, WecomKeys>()

/** `base64(EncodingAESKey + '=')`, 32 bytes; the same object for the same string (at most 16 kept). */
export function wecomKeys(encodingAesKey: string): WecomKeys {
  let k = keyCache.get(encodingAesKey)
  if (!k) {
    if (!/^[A-Za-z0-9]{43}$/.test(encodingAesKey)) throw new RangeError('EncodingAESKey must be 43 letters or digits')
    const key = fromBase64(encodingAesKey + '=')
    if (key.length !== 32) throw new RangeError('EncodingAESKey must decode to 32 bytes')
    if (keyCache.size >= 16) keyCache.clear()
    k = { key, iv: key.slice(0, 16) }
    keyCache.set(encodingAesKey, k)
  }
  return k
}

/** Lower-case hex SHA-1 of the UTF-8 bytes of a text: a runtime may hand in its own (Node: node:crypto's, native). */
export type Sha1Hex = (text: string) => string

const portableSha1Hex: Sha1Hex = (text) => toHex(sha1(encoder.encode(text)))

/** Lower-case hex SHA-1 of the four strings sorted and joined (WeCom's `msg_signature`). */
export function wecomSignature(token: string, timestamp: string, nonce: string, encrypt: string, sha1Hex: Sha1Hex = portableSha1Hex): string {
  return sha1Hex([token, timestamp, nonce, encrypt].sort().join(''))
}

/** True when `signature` is the msg_signature of these four strings (constant-time; a missing one is false). */
export function verifyWecomSignature(
  token: string,
  timestamp: string,
  nonce: string,
  encrypt: string,
  signature: string | undefined,
  sha1Hex?: Sha1Hex,
): boolean {
  if (!signature) return false
  return timingSafeEqual(wecomSignature(token, timestamp, nonce, encrypt, sha1Hex), signature.toLowerCase())
}

const importedKeys = new WeakMap<Uint8Array, Promise<CryptoKey>>()

function importKey(key: Uint8Array): Promise<CryptoKey> {
  let k = importedKeys.get(key)
  if (!k) {
    k = crypto.subtle.importKey('raw', key as Uint8Array<ArrayBuffer>, 'AES-CBC', false, ['encrypt', 'decrypt'])
    importedKeys.set(key, k)
  }
  return k
}

/**
 * WebCrypto without its padding rule (research §0.2): one extra block, the encryption of an empty message
 * chained on the last ciphertext block, decrypts to a full block of 16-byte padding, which WebCrypto strips;
 * what remains is the plaintext exactly as padded by WeCom.
 */
export const webCryptoRawAes: RawAesCbc = {
  async decryptRaw(key, iv, data) {
    const k = await importKey(key)
    const last = data.slice(data.length - 16)
    const extra = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-CBC', iv: last }, k, new Uint8Array(0)))
    const all = new Uint8Array(data.length + 16)
    all.set(data, 0)
    all.set(extra.subarray(0, 16), data.length)
    return new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-CBC', iv: iv as Uint8Array<ArrayBuffer> }, k, all))
  },
}

/** The largest pad WeCom uses: PKCS#7 to a multiple of 32 bytes. */
export const WECOM_BLOCK = 32

/** What an encrypted callback field held. */
export interface WecomPlain {
  /** The message (XML or JSON text, or the echostr's plaintext). */
  msg: string
  /** The corp id (自建应用), suite id or empty string, as found. */
  receiveId: string
}

/**
 * Decrypts an `Encrypt` field (or a GET's `echostr`) and checks WeCom's 32-byte PKCS#7 padding, the length
 * field and, when `expectedReceiveId` is given, the receiveid.
 *
 * @throws WebhookAuthError (401) when the input is not base64, is truncated or not whole blocks, has bad
 *   padding or length (wrong key, tampered data), is not UTF-8, or is meant for another corp. CBC has no
 *   integrity of its own: the signature, checked first, is what proves a callback came from WeCom.
 */
export async function decryptWecom(
  keys: WecomKeys,
  encryptB64: string,
  expectedReceiveId?: string,
  aes: RawAesCbc = webCryptoRawAes,
): Promise<WecomPlain> {
  let data: Uint8Array
  try {
    data = fromBase64(encryptB64)
  } catch {
    throw new WebhookAuthError('encrypted field is not base64')
  }
  if (data.length < WECOM_BLOCK || data.length % 16 !== 0) throw new WebhookAuthError('encrypted field has a wrong length (truncated?)')
  let plain: Uint8Array
  try {
    plain = await aes.decryptRaw(keys.key, keys.iv, data)
  } catch {
    throw new WebhookAuthError('cannot decrypt (wrong EncodingAESKey or tampered data)')
  }
  const pad = plain[plain.length - 1]!
  if (pad < 1 || pad > WECOM_BLOCK || pad > plain.length) throw new WebhookAuthError('bad padding (wrong EncodingAESKey or tampered data)')
  let bad = 0
  for (let i = plain.length - pad; i < plain.length; i++) bad |= plain[i]! ^ pad
  if (bad) throw new WebhookAuthError('bad padding (wrong EncodingAESKey or tampered data)')
  const body = plain.subarray(0, plain.length - pad)
  if (body.length < 20) throw new WebhookAuthError('decrypted field is too short')
  const len = new DataView(body.buffer, body.byteOffset, body.byteLength).getUint32(16)
  if (20 + len > body.length) throw new WebhookAuthError('decrypted length field is out of range')
  let msg: string
  let receiveId: string
  try {
    msg = strictUtf8.decode(body.subarray(20, 20 + len))
    receiveId = strictUtf8.decode(body.subarray(20 + len))
  } catch {
    throw new WebhookAuthError('decrypted field is not UTF-8 (wrong EncodingAESKey or tampered data)')
  }
  if (expectedReceiveId !== undefined && !timingSafeEqual(receiveId, expectedReceiveId)) {
    throw new WebhookAuthError('callback is for another corp (receiveid does not match WECOM_CORP_ID)')
  }
  return { msg, receiveId }
}

/**
 * Encrypts like WeCom does (the fake, tests; a passive reply later): pad to 32 ourselves, WebCrypto encrypt,
 * drop WebCrypto's own extra padding block. `random` defaults to 16 random bytes.
 */
export async function encryptWecom(keys: WecomKeys, msg: string, receiveId: string, random?: Uint8Array): Promise<string> {
  const rnd = random ?? crypto.getRandomValues(new Uint8Array(16))
  if (rnd.length !== 16) throw new RangeError('random must be 16 bytes')
  const m = encoder.encode(msg)
  const r = encoder.encode(receiveId)
  const n = 20 + m.length + r.length
  const pad = WECOM_BLOCK - (n % WECOM_BLOCK)
  const plain = new Uint8Array(n + pad)
  plain.set(rnd, 0)
  new DataView(plain.buffer).setUint32(16, m.length)
  plain.set(m, 20)
  plain.set(r, 20 + m.length)
  plain.fill(pad, n)
  const out = new Uint8Array(
    await crypto.subtle.encrypt({ name: 'AES-CBC', iv: keys.iv as Uint8Array<ArrayBuffer> }, await importKey(keys.key), plain),
  )
  return toBase64(out.subarray(0, plain.length))
}

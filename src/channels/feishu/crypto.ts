/**
 * Feishu webhook security: the request signature and the AES-256-CBC envelope (`{"encrypt": "…"}`).
 *
 * Runtime-agnostic (WebCrypto for AES, @noble/hashes for SHA-256, TextEncoder/TextDecoder, atob/btoa), so the
 * same code runs on Node and Cloudflare Workers. We never use the SDK's `AESCipher`: it decodes UTF-8 chunk by
 * chunk and corrupts a Chinese character that straddles its update/final boundary on Workers (feishu.md §0.2).
 *
 * @example
 *   if (!verifySignature({ timestamp, nonce, encryptKey, rawBody, signature })) throw new WebhookAuthError('bad signature')
 *   const json = await decrypt(encryptKey, body.encrypt)
 */
import { sha256 } from '@noble/hashes/sha2.js'

/** Forged or unreadable webhook input (bad signature, wrong key, tampered ciphertext, wrong token). Map to HTTP 401. */
export class WebhookAuthError extends Error {
  readonly status = 401 as const
  override name = 'WebhookAuthError'
}

const encoder = new TextEncoder()
// Whole-buffer decodes only (no `stream`), so one decoder serves every call.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true })

/**
 * Lower-case hex of SHA-256 over the UTF-8 bytes of `text`. Synchronous on purpose: every webhook is hashed
 * once, and WebCrypto's digest on Node costs ~50 µs of CPU per 1.5 KB body for its thread hop, four times
 * the hashing itself (bench/webhook.ts).
 */
export function sha256Hex(text: string): string {
  return toHex(sha256(encoder.encode(text)))
}

/**
 * Compares two strings in time that depends only on their lengths (not on where they first differ).
 * Use it for signatures and verification tokens.
 */
export function timingSafeEqual(a: string, b: string): boolean {
  const x = encoder.encode(a)
  const y = encoder.encode(b)
  let diff = x.length ^ y.length
  const n = Math.max(x.length, y.length)
  for (let i = 0; i < n; i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0)
  return diff === 0
}

export interface SignatureInput {
  /** Header `X-Lark-Request-Timestamp`. */
  timestamp: string
  /** Header `X-Lark-Request-Nonce`. */
  nonce: string
  encryptKey: string
  /** The request body exactly as received (`await c.req.text()`), not a re-serialised parse. */
  rawBody: string
  /** Header `X-Lark-Signature`. */
  signature: string
}

/**
 * True when `signature == sha256_hex(timestamp + nonce + encryptKey + rawBody)` (the documented algorithm,
 * as in the Go SDK). Compared in constant time; a missing or malformed signature is simply false.
 */
export function verifySignature(input: SignatureInput): boolean {
  const { timestamp, nonce, encryptKey, rawBody, signature } = input
  if (!signature) return false
  const expected = sha256Hex(timestamp + nonce + encryptKey + rawBody)
  return timingSafeEqual(expected, signature.toLowerCase())
}

// An app has one Encrypt Key: deriving and importing it once saves two WebCrypto round trips per webhook.
const keys = new Map<string, Promise<CryptoKey>>()

function aesKey(encryptKey: string, usage: 'encrypt' | 'decrypt'): Promise<CryptoKey> {
  const id = `${usage}:${encryptKey}`
  let key = keys.get(id)
  if (!key) {
    if (keys.size > 16) keys.clear()
    key = crypto.subtle.digest('SHA-256', encoder.encode(encryptKey)).then((raw) => crypto.subtle.importKey('raw', raw, 'AES-CBC', false, [usage]))
    keys.set(id, key)
  }
  return key
}

/**
 * Decrypts the `encrypt` field of a Feishu webhook body: base64(IV ‖ AES-256-CBC(SHA-256(encryptKey), PKCS#7)).
 * The whole plaintext is decoded at once as strict UTF-8.
 *
 * @throws WebhookAuthError when the input is not base64, is too short, has bad padding (wrong key or
 *   tampered ciphertext) or does not decode as UTF-8. Note CBC has no integrity of its own: the signature
 *   check is what proves a body came from Feishu.
 */
export async function decrypt(encryptKey: string, encryptB64: string): Promise<string> {
  let buf: Uint8Array
  try {
    buf = fromBase64(encryptB64)
  } catch {
    throw new WebhookAuthError('encrypted body is not base64')
  }
  if (buf.length < 32 || buf.length % 16 !== 0) throw new WebhookAuthError('encrypted body has a wrong length')
  const key = await aesKey(encryptKey, 'decrypt')
  let plain: ArrayBuffer
  try {
    plain = await crypto.subtle.decrypt({ name: 'AES-CBC', iv: buf.subarray(0, 16) as Uint8Array<ArrayBuffer> }, key, buf.subarray(16) as Uint8Array<ArrayBuffer>)
  } catch {
    throw new WebhookAuthError('cannot decrypt body (wrong encrypt key or tampered data)')
  }
  try {
    return strictUtf8.decode(plain)
  } catch {
    throw new WebhookAuthError('decrypted body is not UTF-8 (wrong encrypt key or tampered data)')
  }
}

/**
 * Encrypts like Feishu does (for tests and the fake server). `iv` defaults to 16 random bytes.
 * Returns base64(IV ‖ ciphertext).
 */
export async function encrypt(encryptKey: string, plaintext: string, iv?: Uint8Array): Promise<string> {
  const ivBytes = iv ?? crypto.getRandomValues(new Uint8Array(16))
  if (ivBytes.length !== 16) throw new RangeError('iv must be 16 bytes')
  const key = await aesKey(encryptKey, 'encrypt')
  const cipher = new Uint8Array(
    await crypto.subtle.encrypt({ name: 'AES-CBC', iv: new Uint8Array(ivBytes) }, key, encoder.encode(plaintext)),
  )
  const out = new Uint8Array(16 + cipher.length)
  out.set(ivBytes, 0)
  out.set(cipher, 16)
  return toBase64(out)
}

const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'))

function toHex(bytes: Uint8Array): string {
  let s = ''
  for (const b of bytes) s += HEX[b]
  return s
}

function fromBase64(b64: string): Uint8Array {
  const bin = atob(b64.replace(/\s+/g, ''))
  const out = new Uint8Array(bin.length)
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i)
  return out
}

function toBase64(bytes: Uint8Array): string {
  let bin = ''
  const CHUNK = 0x8000
  for (let i = 0; i < bytes.length; i += CHUNK) bin += String.fromCharCode(...bytes.subarray(i, i + CHUNK))
  return btoa(bin)
}

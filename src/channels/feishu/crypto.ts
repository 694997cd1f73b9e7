/**
 * Feishu webhook security: the request signature and the AES-256-CBC envelope (`{"encrypt": "…"}`).
 *
 * Runtime-agnostic (AES through the `AesCbc` seam, WebCrypto by default; @noble/hashes for SHA-256,
 * TextEncoder/TextDecoder, atob/btoa), so the same code runs on Node and Cloudflare Workers; Node hands in its
 * synchronous node:crypto AES (src/runtime/node/aes.ts). We never use the SDK's `AESCipher`: it decodes UTF-8 chunk by
 * chunk and corrupts a Chinese character that straddles its update/final boundary on Workers (feishu.md §0.2).
 *
 * @example
 *   if (!verifySignature({ timestamp, nonce, encryptKey, rawBody, signature })) throw new WebhookAuthError('bad signature')
 *   const json = await decrypt(encryptKey, body.encrypt, aes) // aes: the runtime's AesCbc, default webCryptoAes
 */
import { sha256 } from '@noble/hashes/sha2.js'
import { fromBase64, toBase64, toHex } from '../../lib/bytes.ts'

/** Forged or unreadable webhook input (bad signature, wrong key, tampered ciphertext, wrong token). Map to HTTP 401. */
export class WebhookAuthError extends Error {
  readonly status = 401 as const
  override name = 'WebhookAuthError'
}

const encoder = new TextEncoder()
// Whole-buffer decodes only (no `stream`), so one decoder serves every call.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true })

/** Lower-case hex of SHA-256 over the UTF-8 bytes of a string: the signature's hash, a runtime seam like AesCbc. */
export type Sha256Hex = (text: string) => string

/**
 * Lower-case hex of SHA-256 over the UTF-8 bytes of `text`, with @noble/hashes (the default everywhere).
 * Synchronous on purpose: every webhook is hashed once, and WebCrypto's digest on Node costs ~50 µs of CPU
 * per 1.5 KB body for its thread hop, four times the hashing itself (bench/webhook.ts). Node passes
 * node:crypto's one-shot `hash` instead (src/runtime/node/aes.ts), another ~4× faster.
 */
export const sha256Hex: Sha256Hex = (text) => toHex(sha256(encoder.encode(text)))

/**
 * Compares two strings in time that depends only on their lengths (not on where they first differ).
 * Use it for signatures and verification tokens. Compares UTF-16 code units (equal strings have equal ones),
 * so nothing is encoded per call.
 */
export function timingSafeEqual(a: string, b: string): boolean {
  let diff = a.length ^ b.length
  const n = Math.max(a.length, b.length)
  // Past the shorter string's end, charCodeAt gives NaN, which `| 0` makes 0; the lengths already differ.
  for (let i = 0; i < n; i++) diff |= (a.charCodeAt(i) | 0) ^ (b.charCodeAt(i) | 0)
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
 * as in the Go SDK). Compared in constant time; a missing or malformed signature is simply false. `hash` is
 * the runtime's SHA-256 (default @noble/hashes).
 */
export function verifySignature(input: SignatureInput, hash: Sha256Hex = sha256Hex): boolean {
  const { timestamp, nonce, encryptKey, rawBody, signature } = input
  if (!signature) return false
  const expected = hash(timestamp + nonce + encryptKey + rawBody)
  return timingSafeEqual(expected, signature.toLowerCase())
}

/**
 * AES-256-CBC decryption with PKCS#7 padding, the one primitive the webhook envelope needs, as a seam for the
 * runtime: the default is WebCrypto (`webCryptoAes`, everywhere); Node passes its synchronous node:crypto one
 * (src/runtime/node/aes.ts), which saves WebCrypto's thread-pool hop (~50 µs of latency per webhook).
 *
 * `key` is the 32-byte SHA-256 of the Encrypt Key; `decrypt` receives the very same Uint8Array object for the
 * same Encrypt Key every time (derived once, see `aesKeyBytes`), so an implementation may cache whatever it
 * imports from it keyed by that object. Must throw (or reject) when the padding is invalid.
 */
export interface AesCbc {
  /** The plaintext of `data` (whole 16-byte blocks) under `key` and `iv`, padding removed. */
  decrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array | Promise<Uint8Array>
  /**
   * The runtime's base64 decoder for the envelope, where it has a faster one than the core's table decoder
   * (Node's Buffer: ~0.3 µs for a 1.5 KB webhook against ~7 µs). Must throw on input that is not base64.
   */
  fromBase64?(b64: string): Uint8Array
}

const webCryptoKeys = new WeakMap<Uint8Array, Promise<CryptoKey>>()

/** The WebCrypto implementation (Workers, browsers, Node): asynchronous, PKCS#7 handled by `subtle.decrypt`. */
export const webCryptoAes: AesCbc = {
  async decrypt(key, iv, data) {
    let k = webCryptoKeys.get(key)
    if (!k) {
      k = crypto.subtle.importKey('raw', key as Uint8Array<ArrayBuffer>, 'AES-CBC', false, ['decrypt'])
      webCryptoKeys.set(key, k)
    }
    const plain = await crypto.subtle.decrypt({ name: 'AES-CBC', iv: iv as Uint8Array<ArrayBuffer> }, await k, data as Uint8Array<ArrayBuffer>)
    return new Uint8Array(plain)
  },
}

// An app has one Encrypt Key: its SHA-256 is computed once (and the object reused, see AesCbc).
const keyBytes = new Map<string, Uint8Array>()

/** SHA-256 of the Encrypt Key, the AES-256 key; the same object for the same string (at most 16 kept). */
export function aesKeyBytes(encryptKey: string): Uint8Array {
  let key = keyBytes.get(encryptKey)
  if (!key) {
    if (keyBytes.size >= 16) keyBytes.clear()
    key = sha256(encoder.encode(encryptKey))
    keyBytes.set(encryptKey, key)
  }
  return key
}

/**
 * Decrypts the `encrypt` field of a Feishu webhook body: base64(IV ‖ AES-256-CBC(SHA-256(encryptKey), PKCS#7)).
 * The whole plaintext is decoded at once as strict UTF-8. `aes` is the runtime's AES (default WebCrypto).
 *
 * @throws WebhookAuthError when the input is not base64, is too short, has bad padding (wrong key or
 *   tampered ciphertext) or does not decode as UTF-8. Note CBC has no integrity of its own: the signature
 *   check is what proves a body came from Feishu.
 */
export async function decrypt(encryptKey: string, encryptB64: string, aes: AesCbc = webCryptoAes): Promise<string> {
  let buf: Uint8Array
  try {
    buf = aes.fromBase64 ? aes.fromBase64(encryptB64) : fromBase64(encryptB64)
  } catch {
    throw new WebhookAuthError('encrypted body is not base64')
  }
  if (buf.length < 32 || buf.length % 16 !== 0) throw new WebhookAuthError('encrypted body has a wrong length')
  let plain: Uint8Array
  try {
    plain = await aes.decrypt(aesKeyBytes(encryptKey), buf.subarray(0, 16), buf.subarray(16))
  } catch {
    throw new WebhookAuthError('cannot decrypt body (wrong encrypt key or tampered data)')
  }
  try {
    return strictUtf8.decode(plain)
  } catch {
    throw new WebhookAuthError('decrypted body is not UTF-8 (wrong encrypt key or tampered data)')
  }
}

const encryptKeys = new WeakMap<Uint8Array, Promise<CryptoKey>>()

/**
 * Encrypts like Feishu does (for tests and the fake server). `iv` defaults to 16 random bytes.
 * Returns base64(IV ‖ ciphertext).
 */
export async function encrypt(encryptKey: string, plaintext: string, iv?: Uint8Array): Promise<string> {
  const ivBytes = iv ?? crypto.getRandomValues(new Uint8Array(16))
  if (ivBytes.length !== 16) throw new RangeError('iv must be 16 bytes')
  const raw = aesKeyBytes(encryptKey)
  let key = encryptKeys.get(raw)
  if (!key) {
    key = crypto.subtle.importKey('raw', raw as Uint8Array<ArrayBuffer>, 'AES-CBC', false, ['encrypt'])
    encryptKeys.set(raw, key)
  }
  const cipher = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-CBC', iv: new Uint8Array(ivBytes) }, await key, encoder.encode(plaintext)))
  const out = new Uint8Array(16 + cipher.length)
  out.set(ivBytes, 0)
  out.set(cipher, 16)
  return toBase64(out)
}

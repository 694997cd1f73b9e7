/** Bytes as text and back, with Web standards only (atob/btoa): what the platforms' crypto envelopes need. */

const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'))

/** Lower-case hex of the bytes. */
export function toHex(bytes: Uint8Array): string {
  let s = ''
  for (const b of bytes) s += HEX[b]
  return s
}

// Uint8Array.fromBase64 (TC39, in newer V8 and Workers) is native; atob and a copy loop elsewhere.
const nativeFromBase64 = (Uint8Array as unknown as { fromBase64?: (s: string) => Uint8Array }).fromBase64?.bind(Uint8Array)

/** Standard base64 (whitespace ignored) → bytes. @throws SyntaxError (or the native decoder's error) when it is not base64. */
export function fromBase64(b64: string): Uint8Array {
  const clean = /\s/.test(b64) ? b64.replace(/\s+/g, '') : b64
  if (nativeFromBase64) return nativeFromBase64(clean)
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean)) throw new SyntaxError('not base64')
  const bin = atob(clean)
  const out = new Uint8Array(bin.length)
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i)
  return out
}

/** Bytes → standard base64. */
export function toBase64(bytes: Uint8Array): string {
  let bin = ''
  const CHUNK = 0x8000
  for (let i = 0; i < bytes.length; i += CHUNK) bin += String.fromCharCode(...bytes.subarray(i, i + CHUNK))
  return btoa(bin)
}

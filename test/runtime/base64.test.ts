/**
 * The webhook envelope's base64: the core's table decoder (Workers without Uint8Array.fromBase64, Node 24) and
 * the Node runtime's Buffer one (`nodeAes.fromBase64`) give the same bytes, and both refuse what atob refuses,
 * so a forged envelope is a 401 whichever runtime reads it.
 */
import { describe, expect, it } from 'vitest'
import { decodeBase64, fromBase64 } from '../../src/lib/bytes.ts'
import { nodeAes } from '../../src/runtime/node/aes.ts'

const hexOf = (f: () => Uint8Array) => {
  try {
    return Buffer.from(f()).toString('hex')
  } catch {
    return 'refused'
  }
}
const viaAtob = (s: string) => hexOf(() => Uint8Array.from(atob(s), (c) => c.charCodeAt(0)))

describe('base64 of the envelope', () => {
  it('every length and every malformation decodes or is refused as atob does, on both decoders', () => {
    let bytes = 0
    for (let len = 0; len < 130; len++) {
      const b = Uint8Array.from({ length: len }, (_, i) => (i * 151 + len * 7) & 255)
      const s = Buffer.from(b).toString('base64')
      for (const v of [s, s.replace(/=+$/, ''), s.slice(0, -1), `${s}!`, `é${s}`, `${s.slice(0, 2)}=${s.slice(2)}`, `${s}=`, `${s}===`]) {
        const expected = viaAtob(v)
        expect(
          hexOf(() => decodeBase64(v)),
          v,
        ).toBe(expected)
        expect(
          hexOf(() => nodeAes.fromBase64!(v)),
          v,
        ).toBe(expected)
        if (expected !== 'refused') bytes++
      }
      expect(hexOf(() => fromBase64(` ${s}\n`))).toBe(Buffer.from(b).toString('hex'))
    }
    expect(bytes).toBeGreaterThan(300)
  })
})

/**
 * POST /api/import over real HTTP on loopback, as the dashboard's upload will use it: every kind of bad file is
 * refused with a Chinese message and the right status (400, or 413 for one too large, also when it streams in
 * without a length), and nothing is written; the runtime's collection hook runs once the file is parsed, before
 * any row is written, and once more after the import, before the answer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AddressInfo } from 'node:net'
import * as XLSX from '@e965/xlsx'
import { serve, type ServerType } from '@hono/node-server'
import { openNodeDatabase, type NodeDatabase } from '../../src/runtime/node/sqlite.ts'
import { createApp } from '../../src/http/app.ts'
import { silentLogger } from '../../src/log.ts'
import { MAX_WORKBOOK_BYTES } from '../../src/services/workbook/index.ts'

const NOW = new Date('2026-11-20T10:00:00+08:00')
const TOKEN = 'test-admin-token-0123456789'
const auth = { Authorization: `Bearer ${TOKEN}` }

const LIST = [
  ['2026年全县重点项目清单'],
  ['项目名称', '责任单位', '包联县领导', '联系人', '联系电话', '建设性质', '总投资（万元）', '2026年计划投资（万元）', '计划开工时间'],
  ['城关镇标准化厂房', '城关镇', '李明', '王芳', '13900000003', '新建', 12000, 4000, '2026年3月'],
  ['县城至河口镇公路改造', '县交通运输局', '周红', '孙丽', '13900000006', '续建', 15000, 5000, '2026-3-15'],
]

function xlsx(aoa: unknown[][]): Uint8Array {
  const wb = XLSX.utils.book_new()
  XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet(aoa), '项目')
  return new Uint8Array(XLSX.write(wb, { type: 'array', bookType: 'xlsx' }) as ArrayBuffer)
}

/** What Excel and WPS write for a workbook with a password: an OLE container holding the encrypted package. */
function encrypted(): Uint8Array {
  const cfb = XLSX.CFB.utils.cfb_new()
  XLSX.CFB.utils.cfb_add(cfb, '/EncryptionInfo', new Uint8Array([4, 0, 4, 0, 0x40, 0, 0, 0]))
  XLSX.CFB.utils.cfb_add(cfb, '/EncryptedPackage', new Uint8Array(4096))
  return new Uint8Array(XLSX.CFB.write(cfb, { type: 'array' }) as ArrayBuffer)
}

describe('POST /api/import over HTTP', () => {
  let d: NodeDatabase
  let server: ServerType
  let base: string
  /** The projects stored each time the runtime's collection hook ran. */
  const reclaims: number[] = []
  const stored = () =>
    (
      d.sqlite.prepare('select (select count(*) from projects) + (select count(*) from units) + (select count(*) from people) n').get() as {
        n: number
      }
    ).n

  beforeAll(async () => {
    d = openNodeDatabase(':memory:')
    process.env.DIAODU_ADMIN_TOKEN = TOKEN
    const app = createApp({
      db: d.db,
      schemaVersion: d.schemaVersion,
      logger: silentLogger,
      now: () => NOW,
      channels: [],
      transact: d.transact,
      reclaim: () => void reclaims.push(stored()),
    })
    server = await new Promise<ServerType>((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s))
    })
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(async () => {
    delete process.env.DIAODU_ADMIN_TOKEN
    await new Promise((resolve) => server.close(resolve))
    d.close()
  })

  const upload = async (bytes: Uint8Array, name = '清单.xlsx', fields: Record<string, string> = {}) => {
    const form = new FormData()
    form.append('file', new File([bytes as Uint8Array<ArrayBuffer>], name))
    for (const [k, v] of Object.entries(fields)) form.append(k, v)
    const res = await fetch(`${base}/api/import`, { method: 'POST', body: form, headers: auth })
    return { status: res.status, body: (await res.json()) as { error?: string; created?: number; written?: boolean } }
  }

  it('refuses each kind of bad file with a Chinese message, 400 or 413, and writes nothing', async () => {
    const refused = async (r: { status: number; body: { error?: string } }, status: number, pattern: RegExp) => {
      expect(r.status).toBe(status)
      expect(r.body.error).toMatch(pattern)
      expect(r.body.error).toMatch(/[\u4e00-\u9fff]/)
    }
    // a picture renamed .xlsx, a download cut short, a password, nothing at all, a workbook without data
    await refused(await upload(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48])), 400, /不是电子表格/)
    const good = xlsx(LIST)
    await refused(await upload(good.subarray(0, Math.floor(good.length / 2))), 400, /损坏/)
    await refused(await upload(encrypted()), 400, /密码/)
    await refused(await upload(new Uint8Array(0)), 400, /空/)
    await refused(await upload(xlsx([])), 400, /没有任何数据/)
    // not multipart, or without its file
    const plain = await fetch(`${base}/api/import`, { method: 'POST', body: 'hello', headers: { ...auth, 'Content-Type': 'text/plain' } })
    await refused({ status: plain.status, body: await plain.json() }, 400, /multipart|file/)
    const noFile = new FormData()
    noFile.append('dryRun', '1')
    const missing = await fetch(`${base}/api/import`, { method: 'POST', body: noFile, headers: auth })
    await refused({ status: missing.status, body: await missing.json() }, 400, /缺少 file/)

    // 50 MB: refused by its length before the body is read …
    const large = await upload(new Uint8Array(50 * 1024 * 1024))
    await refused(large, 413, /文件过大/)
    // … and one sent without a length (chunked) is refused once the limit has streamed in, without holding the rest
    let sent = 0
    const chunk = new Uint8Array(1024 * 1024)
    const endless = new ReadableStream<Uint8Array>({
      pull(c) {
        sent += chunk.length
        if (sent > 50 * 1024 * 1024) c.close()
        else c.enqueue(chunk)
      },
    })
    const streamed = await fetch(`${base}/api/import`, {
      method: 'POST',
      body: endless,
      duplex: 'half',
      headers: { ...auth, 'Content-Type': 'multipart/form-data; boundary=x' },
    } as RequestInit)
    await refused({ status: streamed.status, body: await streamed.json() }, 413, /文件过大/)
    expect(sent).toBeLessThan(50 * 1024 * 1024)
    expect(sent).toBeGreaterThan(MAX_WORKBOOK_BYTES)

    expect(stored()).toBe(0)
    expect(reclaims.every((n) => n === 0)).toBe(true)
  })

  it('collects the parsed workbook before writing and again before answering', async () => {
    reclaims.length = 0
    const dry = await upload(xlsx(LIST), '清单.xlsx', { dryRun: '1' })
    expect(dry).toMatchObject({ status: 200, body: { written: false } })
    expect(reclaims).toEqual([0, 0])
    const real = await upload(xlsx(LIST))
    expect(real).toMatchObject({ status: 200, body: { written: true } })
    const after = stored()
    expect(after).toBeGreaterThan(0)
    // once parsed (nothing written yet), once the rows are in
    expect(reclaims).toEqual([0, 0, 0, after])
  })
})

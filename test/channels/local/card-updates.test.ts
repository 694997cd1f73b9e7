/**
 * Issue 12 on the /chat page: a card clicked there is replaced by the click's answer, every other card of the
 * same problem is rewritten in the outbox (the page renders the inbox from it), and the old form clicked again
 * is refused with the problem's state.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import { openNodeDatabase, type NodeDatabase } from '../../../src/runtime/node/sqlite.ts'
import { loadDemoCounty } from '../../../src/demo/county.ts'
import { shanghaiTime } from '../../../src/domain/time.ts'
import { silentLogger } from '../../../src/log.ts'
import { createApp } from '../../../src/http/app.ts'
import { enqueue } from '../../../src/outbox/enqueue.ts'
import { newProblemCard } from '../../../src/cards/conversation.ts'
import { listUnits } from '../../../src/store/repos/directory.ts'
import { peopleWithRole } from '../../../src/store/repos/people.ts'
import { outbox, problems, projects } from '../../../src/store/schema.ts'
import type { Card, MessageBody } from '../../../src/model/index.ts'

const NOW = shanghaiTime(2026, 11, 26, 10)
let database: NodeDatabase
beforeEach(async () => {
  database = openNodeDatabase(':memory:')
  await loadDemoCounty(database.db, shanghaiTime(2026, 11, 22, 10))
})
afterEach(() => database.close())

const post = async (a: ReturnType<typeof createApp>, path: string, body: unknown) => {
  const res = await a.request(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  return { status: res.status, json: (await res.json()) as { ok: boolean; updateCard?: Card; toast?: { text: string }; messages?: unknown[] } }
}
const cardOfRow = async (id: number) =>
  ((await database.db.select().from(outbox).where(eq(outbox.id, id)).get())!.body as MessageBody & { kind: 'card' }).card
const hasForm = (c: Card) => c.elements.some((e) => e.kind === 'form')

describe('problem cards on the local page', () => {
  it('the clicked card shows the answer, the other card of the problem is rewritten, the old form is refused', async () => {
    const a = createApp({ db: database.db, schemaVersion: 1, logger: silentLogger, now: () => NOW, channels: ['local'] })
    const p = (await database.db.select().from(problems).where(eq(problems.state, 'new')).get())!
    const project = (await database.db.select().from(projects).where(eq(projects.id, p.projectId)).get())!
    const units = await listUnits(database.db)
    const [office] = await peopleWithRole(database.db, 'office')
    const card = newProblemCard({ id: p.id, description: p.description, state: 'new', project: project.name, unit: null, dueOn: null }, units)
    // The office holds two cards of it (sent twice, say by the report and by a reminder).
    await enqueue(
      database.db,
      { platforms: ['local'] },
      [1, 2].map((i) => ({ to: { kind: 'person', personId: office!.id }, body: { kind: 'card', card }, key: `test:${i}` })),
      NOW.getTime(),
      () => 'x',
    )
    const [first, second] = await database.db
      .select()
      .from(outbox)
      .where(eq(outbox.address, `person:${office!.id}`))
      .orderBy(outbox.id)
      .all()
    const form = card.elements.find((e) => e.kind === 'form')!
    if (form.kind !== 'form') throw new Error('no form')
    const land = units.find((u) => u.name === '县自然资源局')!
    const housing = units.find((u) => u.name === '县住建局')!

    const done = await post(a, '/local/action', {
      personId: office!.id,
      messageId: first!.id,
      command: 'assign',
      args: form.submit.args,
      form: { unit: String(land.id), workdays: '5' },
    })
    expect(done.json.ok).toBe(true)
    for (const row of [first!, second!]) {
      const now = await cardOfRow(row.id)
      expect(hasForm(now)).toBe(false)
      expect(now.subtitle).toContain('已交办')
      expect(JSON.stringify(now)).toContain('县自然资源局')
    }

    const stale = await post(a, '/local/action', {
      personId: office!.id,
      messageId: second!.id,
      command: 'assign',
      args: form.submit.args,
      form: { unit: String(housing.id), workdays: '7' },
    })
    expect(stale.json.toast!.text).toContain('此卡片已过期')
    expect((await database.db.select().from(problems).where(eq(problems.id, p.id)).get())!.assigneeUnitId).toBe(land.id)
  })
})

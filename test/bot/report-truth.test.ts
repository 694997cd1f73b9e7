/** Issue 12, the report's leftovers: a typed 确认 on a 本月/累计 mismatch, 无问题 in a correction, report cards kept current. */
import { afterEach, describe, expect, it } from 'vitest'
import { and, eq } from 'drizzle-orm'
import { cardText, harness, promptForm, textOf } from '../harness.ts'
import { reports } from '../../src/store/schema.ts'
import { projectsOfContact } from '../../src/store/repos/projects.ts'

let h: Awaited<ReturnType<typeof harness>>
afterEach(() => h.close())

/** A contact of 城关镇 and their first project; `say` types a reply about it (naming the project when asked which). */
async function oneProjectContact() {
  const contact = h.as('contact', { unit: '城关镇' })
  const project = (await projectsOfContact(h.db, contact.person.id))[0]!
  const say = async (text: string) => {
    const r = await contact.send(text)
    return r.all.includes('这条进展是哪个项目的') ? contact.send(project.name) : r
  }
  const prev = promptForm((await contact.send(`填报 ${project.name}`)).cards[0]!).prevYtdWan
  return { contact, project, say, prev }
}

describe('typed 确认 and corrections of a report', () => {
  it('确认 on a draft whose 本月 and 累计 disagree says what disagrees and how to answer; 本月数正确 then stores it', async () => {
    h = await harness()
    const { contact, project, say, prev } = await oneProjectContact()
    await say(`本月完成投资1200万元，本年累计${prev + 4926}万元，主体施工，无问题`)
    const asked = await contact.send('确认')
    expect(asked.all).toContain('还不能提交')
    expect(asked.all).toContain('本月完成 1,200.00 万元')
    expect(asked.all).toContain('增加了 4,926.00 万元')
    expect(asked.all).toContain('「本月数正确」')
    const novemberVersions = () =>
      h.sqlite
        .prepare(`select count(*) as n from reports r join rounds d on d.id = r.round_id where d.period = '2026-11' and r.project_id = ?`)
        .get(project.id)
    expect(novemberVersions()).toEqual({ n: 0 })
    const stored = await contact.send('本月数正确')
    expect(stored.cards.map((c) => c.template)).toContain('receipt')
    expect(stored.all).toContain(`${(prev + 1200).toLocaleString('en-US')}.00 万元`)
  })

  it('「无问题」 in a correction empties the stored problems and says so', async () => {
    h = await harness()
    const { contact, project, say, prev } = await oneProjectContact()
    await say(`本月完成投资100万元，本年累计${prev + 100}万元，主体施工，问题：林地手续未批`)
    await contact.send('确认')
    const said = await say('无问题')
    const text = cardText(said.cards[0]!)
    expect(text).toContain('1. 林地手续未批 → 无')
    expect(text).toContain('将清空本期填报的存在问题')
    await contact.send('确认')
    const current = await h.db
      .select()
      .from(reports)
      .where(and(eq(reports.projectId, project.id), eq(reports.current, true)))
      .all()
    expect(current.at(-1)!.problemsText).toBe('')
  })

  it('after 确认 the draft in the chat becomes the receipt, and the earlier prompt shows the stored figures', async () => {
    h = await harness()
    const { contact, say, prev } = await oneProjectContact()
    await say(`本月完成投资100万元，本年累计${prev + 100}万元，主体施工，无问题`)
    await contact.send('确认')
    const inbox = (await contact.inbox()).filter((b) => b.kind === 'card')
    expect(inbox.some((b) => b.kind === 'card' && b.card.template === 'report-confirm')).toBe(false)
    expect(inbox.map(textOf).join('\n')).not.toContain('确认提交')
    const prompt = inbox.find((b) => b.kind === 'card' && b.card.template === 'report-prompt')!
    expect(prompt.kind === 'card' && promptForm(prompt.card).prevYtdWan).toBe(prev + 100)
  })
})

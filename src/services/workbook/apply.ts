/**
 * Typed rows → the database: units, people and projects matched by name, mobile and code, created when a row
 * says enough, updated field by field (only the cells a row fills; a blank cell changes nothing), every change
 * audited. Re-applying the same rows changes nothing. A row that cannot be applied (an unknown unit whose
 * league cannot be told from its name, a contact without a mobile who is not on the roster) is an error naming
 * sheet, row and column, and nothing of it is written.
 */
import { eq } from 'drizzle-orm'
import type { Db } from '../../store/db.ts'
import { auditLog, people, projectContacts, projects, units, type League, type Role } from '../../store/schema.ts'
import type { PersonRef, PersonRow, ProjectRow, RowError, UnitRow } from './parse.ts'

type Unit = typeof units.$inferSelect
type Person = typeof people.$inferSelect
type Project = typeof projects.$inferSelect

export type Entity = 'project' | 'unit' | 'person'
export type Outcome = 'created' | 'updated' | 'unchanged'

export interface Change {
  entity: Entity
  action: Outcome
  name: string
  /** The fields that change (updated) or are set (created). */
  fields: string[]
  sheet: string
  row: number
}

export interface Counts {
  created: number
  updated: number
  unchanged: number
}

export interface ApplyResult {
  counts: Record<'projects' | 'units' | 'people', Counts>
  changes: Change[]
  errors: RowError[]
}

export interface ApplyOptions {
  at: number
  /** The plan year of projects whose sheet does not name one (2026年计划投资 does). */
  year: number
  /** Who imports, for the audit trail (null: the operator on the command line). */
  actorPersonId?: number | null
  /** Called every 1,000 project rows (a terminal shows it): rows done, rows in all. Must not await. */
  onProgress?: (done: number, total: number) => void
}

/** The league a unit's name tells: 城关镇 → 乡镇, 经济开发区 → 开发区, 县交通运输局 → 县直部门; null when it does not. */
export function leagueFromName(full: string): League | null {
  // a note in brackets at the end says nothing of the kind: 县经济开发区（高新区） is a 开发区
  const name = full.replace(/[（(][^（）()]*[）)]$/, '') || full
  if (/(开发区|园区|示范区|高新区|产业园|工业区|新区|管委会)$/.test(name)) return '开发区'
  if (/(镇|乡|街道|街道办事处|街道办|苏木)(人民政府|政府)?$/.test(name)) return '乡镇'
  if (/(局|委|委员会|办|办公室|中心|公司|集团|院|所|站|队|会|处|部|馆|社|行|支队|大队|分局|医院|学校)$/.test(name)) return '县直部门'
  return null
}

const LABELS: Record<string, string> = {
  name: '名称',
  league: '类别',
  headPersonId: '负责人',
  mobile: '手机',
  title: '职务',
  unitId: '单位',
  roles: '角色',
  code: '编号',
  leaderPersonId: '包联领导',
  competentUnitId: '主管部门',
  sector: '分指挥部/领域',
  level: '级别',
  stage: '阶段',
  year: '年度',
  totalInvestment: '总投资',
  annualPlan: '年度计划投资',
  plannedStart: '计划开工',
  plannedFinish: '计划竣工',
  plannedNewStart: '建设性质',
  weekly: '是否周调度',
  contacts: '联系人',
}

/** Equal values: primitives compared as they are (nearly every field), objects and lists (roles) by their JSON. */
const same = (a: unknown, b: unknown) =>
  a === b || (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null && JSON.stringify(a) === JSON.stringify(b))

/** The fields of `next` that differ from `current`, as the audit's before and after. */
function diff<T extends Record<string, unknown>>(current: T, next: Partial<T>): { before: Partial<T>; after: Partial<T> } | null {
  const before: Partial<T> = {}
  const after: Partial<T> = {}
  for (const k of Object.keys(next) as (keyof T)[]) {
    if (next[k] === undefined || same(current[k], next[k])) continue
    before[k] = current[k]
    after[k] = next[k]
  }
  return Object.keys(after).length ? { before, after } : null
}

class RowFailed extends Error {}

/** Applies parsed rows. Runs inside the caller's transaction; the caller decides whether it commits. */
export async function applyRows(
  db: Db,
  rows: { units: UnitRow[]; people: PersonRow[]; projects: ProjectRow[] },
  opts: ApplyOptions,
): Promise<ApplyResult> {
  const result: ApplyResult = {
    counts: { projects: zero(), units: zero(), people: zero() },
    changes: [],
    errors: [],
  }
  const outcome = new Map<string, Outcome>()
  const note = (
    entity: Entity,
    id: number,
    action: Outcome,
    name: string,
    fields: string[],
    at: { sheet: string; row: number },
    primary: boolean,
  ) => {
    const key = `${entity}:${id}`
    const prev = outcome.get(key)
    const rank = { unchanged: 0, updated: 1, created: 2 }
    if (!primary && action === 'unchanged') return
    if (prev !== undefined && rank[prev] >= rank[action]) return
    outcome.set(key, action)
    if (action !== 'unchanged') result.changes.push({ entity, action, name, fields: fields.map((f) => LABELS[f] ?? f), sheet: at.sheet, row: at.row })
  }

  // What the database holds, by the keys a sheet names things by.
  const unitList = await db.select().from(units).all()
  const unitByName = new Map(unitList.map((u) => [u.name, u]))
  const unitCodes = new Set(unitList.map((u) => u.code))
  const personList = await db.select().from(people).all()
  const personByMobile = new Map<string, Person>()
  const personByName = new Map<string, Person[]>()
  const addPerson = (p: Person) => {
    if (p.mobile) personByMobile.set(p.mobile, p)
    personByName.set(p.name, [...(personByName.get(p.name) ?? []), p])
  }
  personList.forEach(addPerson)
  const projectList = await db.select().from(projects).all()
  const projectByCode = new Map(projectList.map((p) => [p.code, p]))
  const projectByName = new Map<string, Project>()
  for (const p of projectList) if (!projectByName.has(p.name) || p.active) projectByName.set(p.name, p)
  const contactsOf = new Map<number, number[]>()
  for (const c of await db.select().from(projectContacts).all()) contactsOf.set(c.projectId, [...(contactsOf.get(c.projectId) ?? []), c.personId])

  // Audit rows and new projects are written in batches at the end (one statement per row costs most of a
  // 20,000-row import in building queries).
  const pendingAudits: (typeof auditLog.$inferInsert)[] = []
  const audit = (entity: Entity, entityId: number, action: 'create' | 'update', before: unknown, after: unknown) =>
    void pendingAudits.push({
      at: opts.at,
      actorPersonId: opts.actorPersonId ?? null,
      entity,
      entityId,
      action: `import.${action}`,
      before: before ?? null,
      after,
    })
  const pendingProjects: { values: typeof projects.$inferInsert; contactIds: number[]; row: ProjectRow }[] = []

  const fail = (at: { sheet: string; row: number }, column: string, message: string): never => {
    result.errors.push({ sheet: at.sheet, row: at.row, column, message })
    throw new RowFailed(message)
  }

  // ---- units
  const nextUnitCode = () => {
    let n = unitCodes.size + 1
    while (unitCodes.has(`DW${String(n).padStart(3, '0')}`)) n++
    const code = `DW${String(n).padStart(3, '0')}`
    unitCodes.add(code)
    return code
  }
  async function createUnit(name: string, league: League, at: { sheet: string; row: number }, primary: boolean): Promise<Unit> {
    const [u] = await db.insert(units).values({ code: nextUnitCode(), name, league }).returning()
    unitByName.set(name, u!)
    await audit('unit', u!.id, 'create', null, { name, league })
    note('unit', u!.id, 'created', name, ['name', 'league'], at, primary)
    result.counts.units.created++
    return u!
  }
  /** The unit a row names, created when its name tells the league; fails the row otherwise. */
  async function unitNamed(name: string, at: { sheet: string; row: number }, column: string, dryResolve = false): Promise<Unit | null> {
    const u = unitByName.get(name)
    if (u) return u
    const league = leagueFromName(name)
    if (!league) fail(at, column, `单位「${name}」不在单位表中，也无法从名称判断类别（乡镇 / 开发区 / 县直部门），请在「单位」表中填写`)
    if (dryResolve) return null
    return createUnit(name, league!, at, false)
  }

  for (const row of rows.units) {
    await guarded(async () => {
      const existing = unitByName.get(row.name)
      if (!existing) {
        const league = row.league ?? leagueFromName(row.name)
        if (!league) fail(row, row.columns.league ?? row.columns.name ?? '', `单位「${row.name}」缺少类别（乡镇 / 开发区 / 县直部门）`)
        await createUnit(row.name, league!, row, true)
        return
      }
      const d = diff(existing, { league: row.league ?? undefined })
      if (!d) return note('unit', existing.id, 'unchanged', row.name, [], row, true)
      await db.update(units).set(d.after).where(eq(units.id, existing.id))
      Object.assign(existing, d.after)
      await audit('unit', existing.id, 'update', d.before, d.after)
      countOnce('units', 'unit', existing.id, 'updated')
      note('unit', existing.id, 'updated', row.name, Object.keys(d.after), row, true)
    })
  }

  // ---- people
  async function createPerson(
    values: { name: string; mobile: string | null; unitId: number | null; title: string | null; roles: Role[] },
    at: { sheet: string; row: number },
    primary: boolean,
  ): Promise<Person> {
    const [p] = await db.insert(people).values(values).returning()
    addPerson(p!)
    await audit('person', p!.id, 'create', null, values)
    note(
      'person',
      p!.id,
      'created',
      values.name,
      Object.keys(values).filter((k) => (values as Record<string, unknown>)[k] !== null),
      at,
      primary,
    )
    result.counts.people.created++
    return p!
  }
  async function updatePerson(p: Person, next: Partial<Person>, at: { sheet: string; row: number }, primary: boolean) {
    const d = diff(p, next)
    if (!d) return note('person', p.id, 'unchanged', p.name, [], at, primary)
    if (d.after.mobile !== undefined && p.mobile) personByMobile.delete(p.mobile)
    await db.update(people).set(d.after).where(eq(people.id, p.id))
    Object.assign(p, d.after)
    if (p.mobile) personByMobile.set(p.mobile, p)
    await audit('person', p.id, 'update', d.before, d.after)
    countOnce('people', 'person', p.id, 'updated')
    note('person', p.id, 'updated', p.name, Object.keys(d.after), at, primary)
  }
  /** A person by mobile, else the one person of that name (in `unitId` first). */
  function findPerson(ref: PersonRef, unitId: number | null, role?: Role): Person | undefined {
    if (ref.mobile) {
      const byMobile = personByMobile.get(ref.mobile)
      if (byMobile) return byMobile
    }
    if (!ref.name) return undefined
    const named = (personByName.get(ref.name) ?? []).filter((p) => !ref.mobile || !p.mobile)
    if (named.length === 1) return named[0]
    const inUnit = named.filter((p) => p.unitId === unitId)
    if (inUnit.length === 1) return inUnit[0]
    if (role) {
      const withRole = named.filter((p) => (p.roles as Role[]).includes(role))
      if (withRole.length === 1) return withRole[0]
    }
    return undefined
  }
  const withRole = (p: Person, role: Role): Role[] => ((p.roles as Role[]).includes(role) ? (p.roles as Role[]) : [...(p.roles as Role[]), role])

  for (const row of rows.people) {
    await guarded(async () => {
      const unit = row.unit ? await unitNamed(row.unit, row, row.columns.unit ?? '') : null
      const existing = findPerson({ name: row.name, mobile: row.mobile }, unit?.id ?? null)
      if (!existing) {
        await createPerson({ name: row.name, mobile: row.mobile, unitId: unit?.id ?? null, title: row.title, roles: row.roles ?? [] }, row, true)
        return
      }
      await updatePerson(
        existing,
        {
          name: row.name,
          mobile: row.mobile ?? undefined,
          title: row.title ?? undefined,
          unitId: unit?.id ?? undefined,
          roles: row.roles ?? undefined,
        },
        row,
        true,
      )
    })
  }

  // ---- unit heads (after the people sheet, so a head listed there is found)
  for (const row of rows.units) {
    if (!row.head) continue
    await guarded(async () => {
      const unit = unitByName.get(row.name)
      if (!unit) return
      const column = row.columns.head ?? ''
      let head = findPerson(row.head!, unit.id, 'unit_head')
      if (!head) {
        if (!row.head!.name) fail(row, column, `负责人手机 ${row.head!.mobile} 不在名册中，请同时填写姓名`)
        head = await createPerson({ name: row.head!.name!, mobile: row.head!.mobile, unitId: unit.id, title: null, roles: ['unit_head'] }, row, false)
      } else {
        await updatePerson(
          head,
          { roles: withRole(head, 'unit_head'), unitId: head.unitId ?? unit.id, mobile: row.head!.mobile ?? undefined },
          row,
          false,
        )
      }
      if (unit.headPersonId !== head.id) {
        await db.update(units).set({ headPersonId: head.id }).where(eq(units.id, unit.id))
        await audit('unit', unit.id, 'update', { headPersonId: unit.headPersonId }, { headPersonId: head.id })
        unit.headPersonId = head.id
        countOnce('units', 'unit', unit.id, 'updated')
        note('unit', unit.id, 'updated', unit.name, ['headPersonId'], row, true)
      }
    })
  }

  // ---- projects
  const projectCodes = new Set(projectList.map((p) => p.code))
  const perYear = new Map<number, number>()
  for (const p of projectList) perYear.set(p.year, (perYear.get(p.year) ?? 0) + 1)
  const nextProjectCode = (year: number) => {
    let n = (perYear.get(year) ?? 0) + 1
    while (projectCodes.has(`XM${year}-${String(n).padStart(3, '0')}`)) n++
    const code = `XM${year}-${String(n).padStart(3, '0')}`
    projectCodes.add(code)
    perYear.set(year, n)
    return code
  }
  let done = 0
  for (const row of rows.projects) {
    if (++done % 1000 === 0) opts.onProgress?.(done, rows.projects.length)
    await guarded(async () => {
      const col = (k: keyof ProjectRow['columns']) => row.columns[k] ?? ''
      // by code; else by name (a sheet without codes, or a code written in later)
      const existing = (row.code ? projectByCode.get(row.code) : undefined) ?? projectByName.get(row.name)
      // resolve everything first: a row that fails writes nothing
      if (!existing && !row.unit) fail(row, col('unit') || col('name'), '新项目缺少责任单位')
      if (!existing && row.annualPlan === null) fail(row, col('annual') || col('name'), '新项目缺少年度计划投资')
      if (!existing && row.totalInvestment === null) fail(row, col('total') || col('name'), '新项目缺少总投资')
      if (row.unit) await unitNamed(row.unit, row, col('unit'), true)
      if (row.dept) await unitNamed(row.dept, row, col('dept'), true)
      const unitIdHint = row.unit ? (unitByName.get(row.unit)?.id ?? null) : (existing?.unitId ?? null)
      const contactPlan: ({ kind: 'found'; person: Person } | { kind: 'new'; ref: PersonRef })[] = []
      for (const ref of row.contacts ?? []) {
        const found = findPerson(ref, unitIdHint, 'contact')
        if (found) contactPlan.push({ kind: 'found', person: found })
        else if (!ref.mobile) fail(row, col('mobile') || col('contact'), `联系人「${ref.name}」不在名册中，请填写其手机号`)
        else if (!ref.name) fail(row, col('contact') || col('mobile'), `手机号 ${ref.mobile} 不在名册中，请填写联系人姓名`)
        else contactPlan.push({ kind: 'new', ref })
      }
      let leader: Person | undefined
      if (row.leader) {
        leader = findPerson(row.leader, null, 'leader')
        if (!leader && !row.leader.name) fail(row, col('leader'), '包联领导缺少姓名')
      }

      // write
      const unit = row.unit ? await unitNamed(row.unit, row, col('unit')) : null
      // 主管部门: a unit like the 责任单位, matched by name or created when its name tells the league
      const dept = row.dept ? await unitNamed(row.dept, row, col('dept')) : null
      if (row.leader && !leader)
        leader = await createPerson(
          { name: row.leader.name!, mobile: row.leader.mobile, unitId: null, title: '县领导', roles: ['leader'] },
          row,
          false,
        )
      else if (leader && !(leader.roles as Role[]).includes('leader')) await updatePerson(leader, { roles: withRole(leader, 'leader') }, row, false)
      const contactIds: number[] = []
      for (const c of contactPlan) {
        let person: Person
        if (c.kind === 'new')
          person = await createPerson(
            { name: c.ref.name!, mobile: c.ref.mobile, unitId: unit?.id ?? existing?.unitId ?? null, title: null, roles: ['contact'] },
            row,
            false,
          )
        else {
          person = c.person
          await updatePerson(person, { roles: withRole(person, 'contact'), unitId: person.unitId ?? unit?.id ?? undefined }, row, false)
        }
        if (!contactIds.includes(person.id)) contactIds.push(person.id)
      }
      const fields: Partial<Project> = {
        name: row.name,
        unitId: unit?.id,
        competentUnitId: dept?.id,
        leaderPersonId: leader?.id,
        sector: row.sector ?? undefined,
        level: row.level ?? undefined,
        stage: row.stage ?? (existing ? undefined : row.plannedNewStart ? '新开工' : undefined),
        totalInvestment: row.totalInvestment ?? undefined,
        annualPlan: row.annualPlan ?? undefined,
        plannedStart: row.plannedStart ?? undefined,
        plannedFinish: row.plannedFinish ?? undefined,
        plannedNewStart: row.plannedNewStart ?? undefined,
        weekly: row.weekly ?? undefined,
        year: row.year ?? (existing ? undefined : opts.year),
      }
      if (!existing) {
        const year = row.year ?? opts.year
        const values = {
          ...Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)),
          code: row.code ?? nextProjectCode(year),
          name: row.name,
          unitId: unit!.id,
          sector: row.sector ?? '未分类',
          year,
          totalInvestment: row.totalInvestment!,
          annualPlan: row.annualPlan!,
        } as typeof projects.$inferInsert
        projectCodes.add(values.code)
        pendingProjects.push({ values, contactIds, row })
        return
      }
      if (row.code && existing.code !== row.code) fields.code = row.code
      const d = diff(existing as unknown as Record<string, unknown>, fields as Record<string, unknown>) ?? { before: {}, after: {} }
      const current = contactsOf.get(existing.id) ?? []
      const contactsChange = row.contacts !== null && contactIds.length > 0 && !same([...current].sort(), [...contactIds].sort())
      if (Object.keys(d.after).length === 0 && !contactsChange) return note('project', existing.id, 'unchanged', existing.name, [], row, true)
      if (Object.keys(d.after).length) {
        await db
          .update(projects)
          .set(d.after as Partial<Project>)
          .where(eq(projects.id, existing.id))
        if (d.after.code !== undefined) {
          projectByCode.delete(existing.code)
          projectByCode.set(d.after.code as string, existing)
        }
        Object.assign(existing, d.after)
      }
      if (contactsChange) {
        await db.delete(projectContacts).where(eq(projectContacts.projectId, existing.id))
        for (const id of contactIds) await db.insert(projectContacts).values({ projectId: existing.id, personId: id })
        contactsOf.set(existing.id, contactIds)
        d.before.contacts = current
        d.after.contacts = contactIds
      }
      await audit('project', existing.id, 'update', d.before, d.after)
      countOnce('projects', 'project', existing.id, 'updated')
      note('project', existing.id, 'updated', existing.name, Object.keys(d.after), row, true)
    })
  }

  for (let i = 0; i < pendingProjects.length; i += 100) {
    const chunk = pendingProjects.slice(i, i + 100)
    const ids = await db
      .insert(projects)
      .values(chunk.map((c) => c.values))
      .returning({ id: projects.id, code: projects.code })
    const idOf = new Map(ids.map((r) => [r.code, r.id]))
    const links: { projectId: number; personId: number }[] = []
    for (const c of chunk) {
      const id = idOf.get(c.values.code)!
      for (const personId of c.contactIds) links.push({ projectId: id, personId })
      audit('project', id, 'create', null, { ...c.values, contacts: c.contactIds })
      result.counts.projects.created++
      note('project', id, 'created', c.values.name, Object.keys(c.values), c.row, true)
    }
    for (let j = 0; j < links.length; j += 500) await db.insert(projectContacts).values(links.slice(j, j + 500))
  }
  for (let i = 0; i < pendingAudits.length; i += 200) await db.insert(auditLog).values(pendingAudits.slice(i, i + 200))

  // Unchanged: primary entities no row changed.
  for (const [key, o] of outcome)
    if (o === 'unchanged') result.counts[key.startsWith('project') ? 'projects' : key.startsWith('unit') ? 'units' : 'people'].unchanged++
  return result

  function countOnce(bucket: keyof ApplyResult['counts'], entity: Entity, id: number, action: 'updated') {
    const prev = outcome.get(`${entity}:${id}`)
    if (prev === 'created' || prev === 'updated') return
    result.counts[bucket][action]++
  }
}

function zero(): Counts {
  return { created: 0, updated: 0, unchanged: 0 }
}

/** Runs one row's work; a RowFailed (already recorded) skips the row. */
async function guarded(fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn()
  } catch (e) {
    if (!(e instanceof RowFailed)) throw e
  }
}

/**
 * Settling a closed month as the dispatch clock does it, and as the demo county's history is made: every
 * project still behind 序时 gets the month's lag 催办 (occasion 'settle:2026-10'), the colours are decided and
 * frozen, the board is published, and each new card sets off what lingchuan-2021 says: yellow → a 约谈 by the
 * sector's 指挥长 with the 主管部门 and 项目单位 heads; red → the 主管部门 head's 表态发言 at the next 指挥部 meeting.
 * Safe to run twice: the second run urges nobody, freezes nothing and opens nothing again.
 */
import { and, eq, inArray } from 'drizzle-orm'
import type { Db } from '../store/db.ts'
import { projectColours, projects, units } from '../store/schema.ts'
import type { Rules } from './rules.ts'
import { settleMonth, type MonthBoard } from './monthly.ts'
import { urgeLagging, type LagUrge } from './urges.ts'
import { addPledge, nextMeeting, openInterview } from '../store/repos/interviews.ts'
import { publishRules, publishSectorBoards } from './boards.ts'
import { listSectors } from '../store/repos/sectors.ts'
import { addDays, localDate } from '../domain/time.ts'
import type { Project } from '../store/repos/projects.ts'

/** A yellow card's 约谈, as opened now. */
export interface OpenedInterview {
  id: number
  project: Project
  period: string
  commanderPersonId: number | null
  sector: string
  dueOn: string
  /** The people to meet: the 主管部门's head (when the project has one) and the 项目单位's head. */
  meet: { personId: number | null; unit: string }[]
}

/** A red card's 表态发言, as added now. */
export interface AddedPledge {
  project: Project
  period: string
  speakerPersonId: number | null
  /** The 指挥部 meeting the office has set, when it is still to come. */
  meetingOn: string | null
}

export interface Settled {
  board: MonthBoard
  urged: LagUrge[]
  interviews: OpenedInterview[]
  pledges: AddedPledge[]
}

/** Urges the laggards, freezes the month, publishes its board (and its 分指挥部 boards) and opens what the new cards set off. */
export async function settle(db: Db, rules: Rules, period: string, at: Date): Promise<Settled> {
  // The month's own figures decide (a weekly report after the monthly one belongs to the next month).
  const urged = await urgeLagging(db, rules, { period, occasion: `settle:${period}`, at, figures: 'month' })
  const board = await settleMonth(db, rules, period, at)
  await publishRules(db, rules, period, at)
  await publishSectorBoards(db, rules, period, at)
  const { interviews, pledges } = await cardConsequences(db, rules, period, at)
  return { board, urged, interviews, pledges }
}

async function cardConsequences(db: Db, rules: Rules, period: string, at: Date): Promise<Pick<Settled, 'interviews' | 'pledges'>> {
  const carded = await db
    .select({ project: projects, colour: projectColours.colour })
    .from(projectColours)
    .innerJoin(projects, eq(projects.id, projectColours.projectId))
    .where(and(eq(projectColours.period, period), inArray(projectColours.colour, ['yellow', 'red'])))
    .orderBy(projects.id)
    .all()
  if (!carded.length) return { interviews: [], pledges: [] }
  const unitRows = await db.select().from(units).all()
  const unitOf = new Map(unitRows.map((u) => [u.id, u]))
  const sectorOf = new Map((await listSectors(db)).map((s) => [s.name, s]))
  const dueOn = addDays(localDate(at), rules.colour.interviewWithinDays ?? 10)
  const meeting = await nextMeeting(db)
  const meetingOn = meeting && meeting.on >= localDate(at) ? meeting.on : null
  const interviews: OpenedInterview[] = []
  const pledges: AddedPledge[] = []
  for (const { project, colour } of carded) {
    const own = unitOf.get(project.unitId)
    const competent = project.competentUnitId !== null ? unitOf.get(project.competentUnitId) : undefined
    if (colour === 'yellow') {
      const sector = sectorOf.get(project.sector)
      const commanderPersonId = sector?.commanderPersonId ?? project.leaderPersonId ?? null
      const row = { projectId: project.id, period, sectorId: sector?.id ?? null, commanderPersonId, dueOn, createdAt: at.getTime() }
      const id = await openInterview(db, row)
      if (id === null) continue
      const meet = [competent, own]
        .filter((u, i, all): u is NonNullable<typeof u> => u !== undefined && all.findIndex((x) => x?.id === u.id) === i)
        .map((u) => ({ personId: u.headPersonId, unit: u.name }))
      interviews.push({ id, project, period, commanderPersonId, sector: project.sector, dueOn, meet })
    } else {
      // "主管部门主要负责人在指挥部会议上表态发言"; a project without a 主管部门 sends its own unit's head.
      const speakerPersonId = (competent ?? own)?.headPersonId ?? null
      if (await addPledge(db, { projectId: project.id, period, speakerPersonId, toldAt: at.getTime(), meetingOn, createdAt: at.getTime() }))
        pledges.push({ project, period, speakerPersonId, meetingOn })
    }
  }
  return { interviews, pledges }
}

/**
 * What a card sets off: a yellow card's 约谈 (the sector's 指挥长 meets the 主管部门 and 项目单位 heads) and a red
 * card's 表态发言 at the next 指挥部 meeting. One of each per project and month, however often the month is settled.
 */
import { and, asc, eq, isNull, sql } from 'drizzle-orm'
import type { Db } from '../db.ts'
import { interviews, meetingPledges, people, projects } from '../schema.ts'

export type Interview = typeof interviews.$inferSelect
export type Pledge = typeof meetingPledges.$inferSelect

/** An open 约谈 as lists show it. */
export interface OpenInterview {
  id: number
  projectId: number
  projectName: string
  commanderName: string
  dueOn: string
  period: string
}

/** A 表态发言 as the meeting's list shows it. */
export interface PledgeLine {
  projectId: number
  projectName: string
  speakerName: string
  meetingOn: string | null
}

/** 约谈 not yet held, soonest due first; `commanderPersonId` narrows to one 指挥长's. */
export async function openInterviews(db: Db, commanderPersonId?: number): Promise<OpenInterview[]> {
  const rows = await db
    .select({
      id: interviews.id,
      projectId: interviews.projectId,
      projectName: projects.name,
      commanderName: sql<string>`coalesce(${people.name}, '')`,
      dueOn: interviews.dueOn,
      period: interviews.period,
    })
    .from(interviews)
    .innerJoin(projects, eq(projects.id, interviews.projectId))
    .leftJoin(people, eq(people.id, interviews.commanderPersonId))
    .where(and(isNull(interviews.heldOn), commanderPersonId === undefined ? undefined : eq(interviews.commanderPersonId, commanderPersonId)))
    .orderBy(asc(interviews.dueOn), asc(interviews.id))
    .all()
  return rows
}

/**
 * The 表态发言 list of the 指挥部 meeting after `period`: the 主管部门 heads of the projects that went red that
 * month, in project order.
 */
export async function pledgesFor(db: Db, period: string): Promise<PledgeLine[]> {
  return db
    .select({
      projectId: meetingPledges.projectId,
      projectName: projects.name,
      speakerName: sql<string>`coalesce(${people.name}, '')`,
      meetingOn: meetingPledges.meetingOn,
    })
    .from(meetingPledges)
    .innerJoin(projects, eq(projects.id, meetingPledges.projectId))
    .leftJoin(people, eq(people.id, meetingPledges.speakerPersonId))
    .where(eq(meetingPledges.period, period))
    .orderBy(asc(projects.code))
    .all()
}

/** Opens a project's 约谈 for a month; a second call for the same project and month keeps the first. Its id when created, else null. */
export async function openInterview(
  db: Db,
  row: Omit<typeof interviews.$inferInsert, 'id' | 'heldOn' | 'notes' | 'recordedBy'>,
): Promise<number | null> {
  const out = await db.insert(interviews).values(row).onConflictDoNothing().returning({ id: interviews.id })
  return out[0]?.id ?? null
}

export const interviewById = (db: Db, id: number) => db.select().from(interviews).where(eq(interviews.id, id)).get()

/** Records a 约谈 as held; false when it was already recorded (the first record stands). */
export async function recordInterviewHeld(db: Db, id: number, heldOn: string, notes: string, recordedBy: number): Promise<boolean> {
  const out = await db
    .update(interviews)
    .set({ heldOn, notes, recordedBy })
    .where(and(eq(interviews.id, id), isNull(interviews.heldOn)))
    .returning({ id: interviews.id })
  return out.length > 0
}

/** Puts a project on a month's 表态发言 list; the first entry for a project and month stands. True when created. */
export async function addPledge(db: Db, row: Omit<typeof meetingPledges.$inferInsert, 'id' | 'spokeOn'>): Promise<boolean> {
  const out = await db.insert(meetingPledges).values(row).onConflictDoNothing().returning({ id: meetingPledges.id })
  return out.length > 0
}

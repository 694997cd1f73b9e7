/**
 * What a card sets off: a yellow card's 约谈 (the sector's 指挥长 meets the 主管部门 and 项目单位 heads) and a red
 * card's 表态发言 at the next 指挥部 meeting. One of each per project and month, however often the month is settled.
 * The next meeting's date is the `meeting` setting (`{"on": "2026-12-10"}`), set by the office in chat.
 */
import { and, asc, desc, eq, inArray, isNull, or, sql } from 'drizzle-orm'
import type { Db } from '../db.ts'
import { interviews, meetingPledges, people, projects } from '../schema.ts'
import { getSetting, setSetting } from './settings.ts'

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
  projectCode: string
  projectName: string
  /** The month the project went red. */
  period: string
  speakerPersonId: number | null
  speakerName: string
  meetingOn: string | null
  spokeOn: string | null
}

/** The next 指挥部 meeting as the office set it. */
export interface Meeting {
  on: string
  setBy: number | null
  setAt: number
}

const MEETING_KEY = 'meeting'

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

const pledgeColumns = {
  projectId: meetingPledges.projectId,
  projectCode: projects.code,
  projectName: projects.name,
  period: meetingPledges.period,
  speakerPersonId: meetingPledges.speakerPersonId,
  speakerName: sql<string>`coalesce(${people.name}, '')`,
  meetingOn: meetingPledges.meetingOn,
  spokeOn: meetingPledges.spokeOn,
}

/**
 * The 表态发言 list of the next 指挥部 meeting: the projects that went red in `period` and those of earlier months
 * whose head has not spoken yet, one line per project (its latest red month), in project order.
 */
export async function pledgesFor(db: Db, period: string): Promise<PledgeLine[]> {
  const rows = await db
    .select(pledgeColumns)
    .from(meetingPledges)
    .innerJoin(projects, eq(projects.id, meetingPledges.projectId))
    .leftJoin(people, eq(people.id, meetingPledges.speakerPersonId))
    .where(or(eq(meetingPledges.period, period), and(isNull(meetingPledges.spokeOn), sql`${meetingPledges.period} < ${period}`)))
    .orderBy(asc(projects.code), desc(meetingPledges.period))
    .all()
  return rows.filter((r, i) => rows.findIndex((x) => x.projectId === r.projectId) === i)
}

/** The pledges not spoken yet, of any month (the ones a new meeting date concerns). */
export async function openPledges(db: Db, projectId?: number): Promise<PledgeLine[]> {
  return db
    .select(pledgeColumns)
    .from(meetingPledges)
    .innerJoin(projects, eq(projects.id, meetingPledges.projectId))
    .leftJoin(people, eq(people.id, meetingPledges.speakerPersonId))
    .where(and(isNull(meetingPledges.spokeOn), projectId === undefined ? undefined : eq(meetingPledges.projectId, projectId)))
    .orderBy(asc(projects.code), asc(meetingPledges.period))
    .all()
}

/** The next 指挥部 meeting the office set, if any (it may lie in the past once held). */
export const nextMeeting = (db: Db) => getSetting<Meeting>(db, MEETING_KEY)

/** Sets the next meeting's date; every pledge not spoken yet is for that meeting. The pledges it concerns. */
export async function setNextMeeting(db: Db, meeting: Meeting): Promise<PledgeLine[]> {
  await setSetting(db, MEETING_KEY, meeting)
  await db.update(meetingPledges).set({ meetingOn: meeting.on }).where(isNull(meetingPledges.spokeOn))
  return openPledges(db)
}

/** Records a project's open pledges as spoken on `spokeOn`; the months recorded (none when nothing was open). */
export async function recordPledgeSpoken(db: Db, projectId: number, spokeOn: string): Promise<string[]> {
  const open = await openPledges(db, projectId)
  if (!open.length) return []
  const out = await db
    .update(meetingPledges)
    .set({ spokeOn })
    .where(
      and(
        eq(meetingPledges.projectId, projectId),
        isNull(meetingPledges.spokeOn),
        inArray(
          meetingPledges.period,
          open.map((p) => p.period),
        ),
      ),
    )
    .returning({ period: meetingPledges.period })
  return out.map((r) => r.period)
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

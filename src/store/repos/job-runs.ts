/** Job claims: a job done for a period is never done twice (job_runs, unique job + period). */
import { and, eq, inArray, isNull, lte } from 'drizzle-orm'
import type { Db } from '../db.ts'
import { jobRuns } from '../schema.ts'
import { inChunks } from '../bulk.ts'

export type JobRun = typeof jobRuns.$inferSelect

export type ClaimResult = 'claimed' | 'retaken' | 'busy' | 'done'

/**
 * Claims job × period before any work (insert … on conflict do nothing … returning). A claim left unfinished
 * for `leaseMs` (a crashed process) is taken over. 'busy' = another tick is on it now, 'done' = finished.
 */
export async function claimJob(db: Db, job: string, period: string, at: number, leaseMs: number): Promise<ClaimResult> {
  const inserted = await db
    .insert(jobRuns)
    .values({ job, period, claimedAt: at })
    .onConflictDoNothing({ target: [jobRuns.job, jobRuns.period] })
    .returning({ id: jobRuns.id })
  if (inserted.length) return 'claimed'
  const retaken = await db
    .update(jobRuns)
    .set({ claimedAt: at })
    .where(and(eq(jobRuns.job, job), eq(jobRuns.period, period), isNull(jobRuns.finishedAt), lte(jobRuns.claimedAt, at - leaseMs)))
    .returning({ id: jobRuns.id })
  if (retaken.length) return 'retaken'
  const row = await db
    .select({ finishedAt: jobRuns.finishedAt })
    .from(jobRuns)
    .where(and(eq(jobRuns.job, job), eq(jobRuns.period, period)))
    .get()
  return row?.finishedAt != null ? 'done' : 'busy'
}

export async function finishJob(db: Db, job: string, period: string, at: number, result: unknown): Promise<void> {
  await db
    .update(jobRuns)
    .set({ finishedAt: at, result: result as never })
    .where(and(eq(jobRuns.job, job), eq(jobRuns.period, period)))
}

/** The stored runs of these job × period pairs, keyed `job|period`. */
export async function jobRunsFor(db: Db, keys: { job: string; period: string }[]): Promise<Map<string, JobRun>> {
  const out = new Map<string, JobRun>()
  if (!keys.length) return out
  const jobs = [...new Set(keys.map((k) => k.job))]
  const periods = [...new Set(keys.map((k) => k.period))]
  const rows = await inChunks(periods, (slice) =>
    db
      .select()
      .from(jobRuns)
      .where(and(inArray(jobRuns.job, jobs), inArray(jobRuns.period, slice)))
      .all(),
  )
  for (const r of rows) out.set(`${r.job}|${r.period}`, r)
  return out
}

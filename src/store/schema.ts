/**
 * The database, described once for both runtimes (better-sqlite3 on Node, D1 on Workers).
 * Money columns are whole 元 (integers); instants are epoch milliseconds; calendar dates are Shanghai
 * 'YYYY-MM-DD' text; period keys are '2026-10', '2026-W44', '2026-10-上旬'.
 */
import { sql } from 'drizzle-orm'
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'

import { LEAGUES } from '../domain/scoring.ts'
export { LEAGUES, type League } from '../domain/scoring.ts'

export const SECTORS = ['工业', '数字经济', '能源', '文旅康养', '乡村振兴', '现代服务业', '基础设施'] as const
export type Sector = (typeof SECTORS)[number]

export const LEVELS = ['省重点', '市重点', '县重点'] as const
export const STAGES = ['谋划', '储备', '前期', '新开工', '续建', '竣工', '投产'] as const

/**
 * contact = 填报人, unit_head = 单位负责人, leader = 包联/分管领导 (分管副县长), office = 指挥部办公室,
 * executive = 常务副县长 (专题调度), county_head = 县长 (顶格调度).
 */
export const ROLES = ['contact', 'unit_head', 'leader', 'office', 'executive', 'county_head'] as const
export type Role = (typeof ROLES)[number]

const createdAt = () =>
  integer('created_at')
    .notNull()
    .default(sql`(unixepoch() * 1000)`)

export const units = sqliteTable('units', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  code: text('code').notNull().unique(),
  name: text('name').notNull().unique(),
  shortName: text('short_name'),
  league: text('league', { enum: LEAGUES }).notNull(),
  headPersonId: integer('head_person_id'),
  createdAt: createdAt(),
})

export const people = sqliteTable('people', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull(),
  mobile: text('mobile').unique(),
  unitId: integer('unit_id').references(() => units.id),
  title: text('title'),
  /** JSON array of Role. */
  roles: text('roles', { mode: 'json' })
    .$type<Role[]>()
    .notNull()
    .default(sql`'[]'`),
  /** For leaders: the sectors (分指挥部) they are in charge of; empty = all. JSON array. */
  sectors: text('sectors', { mode: 'json' })
    .$type<string[]>()
    .notNull()
    .default(sql`'[]'`),
  createdAt: createdAt(),
})

/** A person's account on a chat platform. One person may be bound on several platforms. */
export const identities = sqliteTable(
  'identities',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    personId: integer('person_id')
      .notNull()
      .references(() => people.id),
    platform: text('platform', { enum: ['feishu', 'wecom', 'local'] }).notNull(),
    userId: text('user_id').notNull(),
    boundAt: integer('bound_at').notNull(),
  },
  (t) => [uniqueIndex('identities_platform_user').on(t.platform, t.userId), index('identities_person').on(t.personId)],
)

/** Group chats the bot is in; `boards` marks the ones that receive leaderboards. */
export const groups = sqliteTable(
  'groups',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    platform: text('platform', { enum: ['feishu', 'wecom', 'local'] }).notNull(),
    chatId: text('chat_id').notNull(),
    name: text('name').notNull().default(''),
    boards: integer('boards', { mode: 'boolean' }).notNull().default(true),
    active: integer('active', { mode: 'boolean' }).notNull().default(true),
    addedAt: integer('added_at').notNull(),
  },
  (t) => [uniqueIndex('groups_platform_chat').on(t.platform, t.chatId)],
)

export const projects = sqliteTable(
  'projects',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    code: text('code').notNull().unique(),
    name: text('name').notNull(),
    unitId: integer('unit_id')
      .notNull()
      .references(() => units.id),
    leaderPersonId: integer('leader_person_id').references(() => people.id),
    sector: text('sector').notNull(),
    level: text('level').notNull().default('县重点'),
    stage: text('stage').notNull().default('续建'),
    year: integer('year').notNull(),
    totalInvestment: integer('total_investment').notNull(),
    annualPlan: integer('annual_plan').notNull(),
    /** Optional cumulative monthly plan (12 integers of 元) for the plan-curve 序时 mode. */
    planCurve: text('plan_curve', { mode: 'json' }).$type<number[] | null>(),
    plannedStart: text('planned_start'),
    plannedFinish: text('planned_finish'),
    /** 计划新开工 this year (counts toward 开工率). */
    plannedNewStart: integer('planned_new_start', { mode: 'boolean' }).notNull().default(false),
    /** 开工 date (a new project) as reported; 复工 of a continuing one is resumedOn. */
    startedOn: text('started_on'),
    resumedOn: text('resumed_on'),
    inStats: integer('in_stats', { mode: 'boolean' }).notNull().default(false),
    /** 入库纳统 date as reported (inStats says whether; this says when). */
    statsOn: text('stats_on'),
    /** 主管部门: the department answerable for the project, beside the 责任单位 that builds it. */
    competentUnitId: integer('competent_unit_id'),
    /** Key projects take the weekly round too (e.g. ≥ 5000万). */
    weekly: integer('weekly', { mode: 'boolean' }).notNull().default(false),
    active: integer('active', { mode: 'boolean' }).notNull().default(true),
    createdAt: createdAt(),
  },
  (t) => [index('projects_unit').on(t.unitId)],
)

export const projectContacts = sqliteTable(
  'project_contacts',
  {
    projectId: integer('project_id')
      .notNull()
      .references(() => projects.id),
    personId: integer('person_id')
      .notNull()
      .references(() => people.id),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.personId] }), index('project_contacts_person').on(t.personId)],
)

export const rounds = sqliteTable(
  'rounds',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    kind: text('kind', { enum: ['monthly', 'weekly', 'xun'] }).notNull(),
    period: text('period').notNull(),
    opensAt: integer('opens_at').notNull(),
    deadlineAt: integer('deadline_at').notNull(),
    closedAt: integer('closed_at'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('rounds_kind_period').on(t.kind, t.period)],
)

/** Every submission is a new version; exactly one version per (round, project) is current. */
export const reports = sqliteTable(
  'reports',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    roundId: integer('round_id')
      .notNull()
      .references(() => rounds.id),
    projectId: integer('project_id')
      .notNull()
      .references(() => projects.id),
    version: integer('version').notNull(),
    current: integer('current', { mode: 'boolean' }).notNull().default(true),
    periodInvestment: integer('period_investment'),
    ytdInvestment: integer('ytd_investment').notNull(),
    progressPercent: integer('progress_percent'),
    progressText: text('progress_text').notNull().default(''),
    startStatus: text('start_status'),
    /** The date a start (开工/复工) or 入库纳统 was reported in this version, 'YYYY-MM-DD'. */
    startedOn: text('started_on'),
    statsOn: text('stats_on'),
    problemsText: text('problems_text').notNull().default(''),
    coordination: text('coordination').notNull().default(''),
    nextSteps: text('next_steps').notNull().default(''),
    correctionReason: text('correction_reason'),
    source: text('source', { enum: ['card', 'text', 'import', 'demo', 'api'] }).notNull(),
    submittedBy: integer('submitted_by').references(() => people.id),
    submittedAt: integer('submitted_at').notNull(),
    /** When version 1 came in: on-time reporting is judged by the first submission, not the last edit. */
    firstSubmittedAt: integer('first_submitted_at').notNull(),
  },
  (t) => [
    uniqueIndex('reports_round_project_version').on(t.roundId, t.projectId, t.version),
    index('reports_current').on(t.roundId, t.current, t.projectId),
    // The board reads a round's current figures in project order without touching the table.
    index('reports_round_figures')
      .on(t.roundId, t.projectId, t.ytdInvestment, t.firstSubmittedAt)
      .where(sql`current = 1`),
    index('reports_project').on(t.projectId),
  ],
)

export const PROBLEM_STATES = ['new', 'assigned', 'in_progress', 'close_requested', 'closed'] as const
export type ProblemState = (typeof PROBLEM_STATES)[number]

/** 四级调度 (qinshui-2024): 办公室常态调度 → 分管副县长精准调度 → 常务副县长专题调度 → 县长顶格调度. */
export const DISPATCH_LEVELS = ['office', 'vice', 'executive', 'county'] as const
export type DispatchLevel = (typeof DISPATCH_LEVELS)[number]

export const SUPERVISION_STATES = ['open', 'replied', 'returned', 'closed'] as const
export type SupervisionState = (typeof SUPERVISION_STATES)[number]

/** 问题台账: one entry per problem, with its whole state history in problem_events. */
export const problems = sqliteTable(
  'problems',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    projectId: integer('project_id')
      .notNull()
      .references(() => projects.id),
    reportId: integer('report_id').references(() => reports.id),
    description: text('description').notNull(),
    severity: text('severity', { enum: ['ordinary', 'major'] })
      .notNull()
      .default('ordinary'),
    state: text('state', { enum: PROBLEM_STATES }).notNull().default('new'),
    reporterPersonId: integer('reporter_person_id').references(() => people.id),
    assigneeUnitId: integer('assignee_unit_id').references(() => units.id),
    assigneePersonId: integer('assignee_person_id').references(() => people.id),
    leaderPersonId: integer('leader_person_id').references(() => people.id),
    plan: text('plan'),
    dueOn: text('due_on'),
    noticeCount: integer('notice_count').notNull().default(0),
    /** 四级调度: who is working the problem now (办公室 → 分管副县长 → 常务副县长 → 县长). */
    level: text('level', { enum: DISPATCH_LEVELS }).notNull().default('office'),
    levelSince: integer('level_since'),
    createdAt: integer('created_at').notNull(),
    closedAt: integer('closed_at'),
  },
  (t) => [index('problems_state').on(t.state), index('problems_project').on(t.projectId)],
)

export const problemEvents = sqliteTable(
  'problem_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    problemId: integer('problem_id')
      .notNull()
      .references(() => problems.id),
    at: integer('at').notNull(),
    personId: integer('person_id').references(() => people.id),
    fromState: text('from_state'),
    toState: text('to_state').notNull(),
    note: text('note').notNull().default(''),
  },
  (t) => [index('problem_events_problem').on(t.problemId)],
)

/** 督办 items (挂牌督办): a matter a leader puts on a project, answered within N working days. */
export const supervisions = sqliteTable(
  'supervisions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    projectId: integer('project_id')
      .notNull()
      .references(() => projects.id),
    matter: text('matter').notNull(),
    issuedBy: integer('issued_by').references(() => people.id),
    issuedAt: integer('issued_at').notNull(),
    dueOn: text('due_on').notNull(),
    state: text('state', { enum: SUPERVISION_STATES }).notNull().default('open'),
    reply: text('reply'),
    repliedAt: integer('replied_at'),
    noticeCount: integer('notice_count').notNull().default(0),
    /** When the 督办通知书 reached the unit: the 复函 is due N working days from here, not from issuedAt. */
    receivedAt: integer('received_at'),
    replyDueOn: text('reply_due_on'),
    /** The 复函's five 落实: 解决办法、责任单位、责任领导、责任人、解决时限, as labelled fields. */
    replyFields: text('reply_fields', { mode: 'json' }).$type<Record<string, string> | null>(),
    repliedBy: integer('replied_by'),
    /** 退回 with a reason restarts the clock; 办结 closes it. */
    returnedAt: integer('returned_at'),
    returnReason: text('return_reason'),
    closedAt: integer('closed_at'),
    closedBy: integer('closed_by'),
    /** Cadence preset the item follows ('default', '13710'). */
    cadence: text('cadence').notNull().default('default'),
  },
  (t) => [index('supervisions_state').on(t.state)],
)

/** 催办 sent for a round and project; two of them in a month are the yellow-card threshold. */
export const reminders = sqliteTable(
  'reminders',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    roundId: integer('round_id')
      .notNull()
      .references(() => rounds.id),
    projectId: integer('project_id')
      .notNull()
      .references(() => projects.id),
    kind: text('kind', { enum: ['before', 'deadline', 'overdue', 'manual', 'lag'] }).notNull(),
    personId: integer('person_id').references(() => people.id),
    sentAt: integer('sent_at').notNull(),
  },
  (t) => [index('reminders_round_project').on(t.roundId, t.projectId, t.kind)],
)

/**
 * One 催办 occasion of a project: however many contacts a 催办 reaches (rows in reminders), it counts once.
 * kind 'missing' chases an unreported round, 'lag' a project behind 序时; occasion names the dispatch
 * ('settle:2026-10', 'weekly:2026-W44', 'manual:<person>:<minute>') so a repeat of the same one is no new 催办.
 */
export const urges = sqliteTable(
  'urges',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    projectId: integer('project_id')
      .notNull()
      .references(() => projects.id),
    roundId: integer('round_id').references(() => rounds.id),
    period: text('period').notNull(),
    kind: text('kind', { enum: ['missing', 'lag'] }).notNull(),
    occasion: text('occasion').notNull(),
    byPersonId: integer('by_person_id').references(() => people.id),
    /** How far behind 序时 at the time, in basis points (lag only). */
    behindBp: integer('behind_bp'),
    at: integer('at').notNull(),
  },
  (t) => [uniqueIndex('urges_project_occasion').on(t.projectId, t.occasion), index('urges_period').on(t.period, t.projectId)],
)

/** 分指挥部: a county's sectors, each led by a 指挥长 (分管副县长) with a 副指挥长 and a 总联络人. */
export const sectors = sqliteTable('sectors', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  /** Matches projects.sector. */
  name: text('name').notNull().unique(),
  commanderPersonId: integer('commander_person_id').references(() => people.id),
  deputyPersonId: integer('deputy_person_id').references(() => people.id),
  liaisonPersonId: integer('liaison_person_id').references(() => people.id),
  sortOrder: integer('sort_order').notNull().default(0),
  createdAt: createdAt(),
})

/** 约谈 a yellow card sets off: the sector's 指挥长 meets the 主管部门 and 项目单位 heads by dueOn. */
export const interviews = sqliteTable(
  'interviews',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    projectId: integer('project_id')
      .notNull()
      .references(() => projects.id),
    period: text('period').notNull(),
    sectorId: integer('sector_id').references(() => sectors.id),
    commanderPersonId: integer('commander_person_id').references(() => people.id),
    dueOn: text('due_on').notNull(),
    heldOn: text('held_on'),
    notes: text('notes'),
    recordedBy: integer('recorded_by').references(() => people.id),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [uniqueIndex('interviews_project_period').on(t.projectId, t.period), index('interviews_commander').on(t.commanderPersonId)],
)

/** 表态发言: a red project's 主管部门 head speaks at the next 指挥部 meeting. */
export const meetingPledges = sqliteTable(
  'meeting_pledges',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    projectId: integer('project_id')
      .notNull()
      .references(() => projects.id),
    period: text('period').notNull(),
    speakerPersonId: integer('speaker_person_id').references(() => people.id),
    toldAt: integer('told_at'),
    meetingOn: text('meeting_on'),
    spokeOn: text('spoke_on'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [uniqueIndex('meeting_pledges_project_period').on(t.projectId, t.period)],
)

/**
 * Signed single-use links sent in chat: 'login' opens a web session (驾驶舱), 'report' opens the mobile
 * report form. Only the SHA-256 of the token is stored.
 */
export const accessLinks = sqliteTable(
  'access_links',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    purpose: text('purpose', { enum: ['login', 'report'] }).notNull(),
    tokenHash: text('token_hash').notNull().unique(),
    personId: integer('person_id')
      .notNull()
      .references(() => people.id),
    data: text('data', { mode: 'json' }).$type<Record<string, unknown> | null>(),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
    usedAt: integer('used_at'),
  },
  (t) => [index('access_links_person').on(t.personId)],
)

/** Web sessions of the 挂图作战 pages (HttpOnly cookie holds the token; the hash is stored). */
export const webSessions = sqliteTable(
  'web_sessions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    tokenHash: text('token_hash').notNull().unique(),
    personId: integer('person_id')
      .notNull()
      .references(() => people.id),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
    lastSeenAt: integer('last_seen_at'),
    revokedAt: integer('revoked_at'),
  },
  (t) => [index('web_sessions_person').on(t.personId)],
)

/** The colour a project got for a month, frozen when published (red needs last month's colour). */
export const projectColours = sqliteTable(
  'project_colours',
  {
    projectId: integer('project_id')
      .notNull()
      .references(() => projects.id),
    period: text('period').notNull(),
    colour: text('colour').notNull(),
    ytdInvestment: integer('ytd_investment').notNull(),
    urgeCount: integer('urge_count').notNull().default(0),
    frozenAt: integer('frozen_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.projectId, t.period] }),
    // Next month's board reads a whole month of colours in project order.
    index('project_colours_period').on(t.period, t.projectId, t.colour, t.ytdInvestment),
  ],
)

/**
 * Each active project's figures for each month of its year, as the board reads them: one narrow row set per
 * month instead of four tables merged. Kept by the triggers of drizzle/0002_month_figures.sql from projects,
 * reports, urges and project_colours (drizzle/0008_urge_occasions.sql); the view `month_figures_source` is its definition (a project's
 * rows are made from it; reports, 催办 and colours update their own columns). Nothing else writes this table.
 */
export const monthFigures = sqliteTable(
  'month_figures',
  {
    period: text('period').notNull(),
    projectId: integer('project_id').notNull(),
    unitId: integer('unit_id').notNull(),
    annualPlan: integer('annual_plan').notNull(),
    /** 本年累计 of the month's current report; null until the project reports. */
    reportedYtd: integer('reported_ytd'),
    /** When the current report's version 1 came in (on time is judged against the round's deadline). */
    firstSubmittedAt: integer('first_submitted_at'),
    /** 本年累计 frozen with last month's colour (0 in January: a new year starts from nothing). */
    carriedYtd: integer('carried_ytd').notNull(),
    previousColour: text('previous_colour'),
    /**
     * Consecutive lag 催办 (urges of kind 'lag') up to this month since the project last stood at 序时 (a
     * month frozen blue) or the year began: the count the yellow card waits for ("连续催办两次仍未达标").
     */
    urges: integer('urges').notNull(),
    plannedNewStart: integer('planned_new_start').notNull(),
    /** Started on or before the month's last day. */
    started: integer('started').notNull(),
    inStats: integer('in_stats').notNull(),
    /** Missing-report 催办 (kind 'missing') in the same window; they count toward the card only when the rule says so. */
    missingUrges: integer('missing_urges').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.period, t.projectId] }), index('month_figures_project').on(t.projectId)],
)

/** What was published is what is kept: one frozen board per kind, period and league. */
export const boardSnapshots = sqliteTable(
  'board_snapshots',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    kind: text('kind', { enum: ['monthly', 'weekly'] }).notNull(),
    period: text('period').notNull(),
    league: text('league').notNull(),
    publishedAt: integer('published_at').notNull(),
    data: text('data', { mode: 'json' }).notNull(),
  },
  (t) => [uniqueIndex('board_snapshots_key').on(t.kind, t.period, t.league)],
)

/** A job done for a period is never done twice: the unique key is claimed before any work. */
export const jobRuns = sqliteTable(
  'job_runs',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    job: text('job').notNull(),
    period: text('period').notNull(),
    claimedAt: integer('claimed_at').notNull(),
    finishedAt: integer('finished_at'),
    result: text('result', { mode: 'json' }),
  },
  (t) => [uniqueIndex('job_runs_key').on(t.job, t.period)],
)

/** Raw inbound payloads, stored before processing: nothing a user sent is lost, and each is handled once. */
export const inboundLog = sqliteTable(
  'inbound_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    platform: text('platform').notNull(),
    dedupeKey: text('dedupe_key').notNull(),
    receivedAt: integer('received_at').notNull(),
    raw: text('raw').notNull(),
    status: text('status', { enum: ['received', 'processed', 'failed', 'ignored'] })
      .notNull()
      .default('received'),
    error: text('error'),
    /** The process working on a received row, until `lease_until`; after that another may resume it. */
    leaseOwner: text('lease_owner'),
    leaseUntil: integer('lease_until'),
  },
  (t) => [
    // Every webhook inserts a row here before its acknowledgement: no index that no query reads.
    uniqueIndex('inbound_log_key').on(t.platform, t.dedupeKey),
    index('inbound_log_unfinished')
      .on(t.status, t.leaseUntil)
      .where(sql`status = 'received'`),
  ],
)

/** Durable outgoing queue. `key` is the idempotency key: one message per key, ever. */
export const outbox = sqliteTable(
  'outbox',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    key: text('key').notNull().unique(),
    platform: text('platform').notNull(),
    /** Platform address: Feishu open_id / chat_id, WeCom userid / chatid / robot, local person or group. */
    address: text('address').notNull(),
    addressKind: text('address_kind', { enum: ['user', 'chat'] }).notNull(),
    body: text('body', { mode: 'json' }).notNull(),
    status: text('status', { enum: ['pending', 'sending', 'sent', 'failed'] })
      .notNull()
      .default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: integer('next_attempt_at').notNull(),
    lockedUntil: integer('locked_until'),
    lastError: text('last_error'),
    messageId: text('message_id'),
    createdAt: integer('created_at').notNull(),
    sentAt: integer('sent_at'),
    /** The item a card row is about ('problem:29'): its cards are found by it when the item changes. */
    subject: text('subject'),
    /**
     * Set on an update row: the outbox row whose delivered message this row's card replaces (Feishu: PATCH of
     * that row's message_id). Such a row is never itself a card to update.
     */
    updatesId: integer('updates_id'),
  },
  // Most rows (text replies) have no subject and update nothing: partial indexes leave them out, so queueing a
  // reply writes two index entries instead of four, and `subject = ?` / `updates_id = ?` still use them.
  (t) => [
    index('outbox_due').on(t.status, t.nextAttemptAt),
    index('outbox_subject')
      .on(t.subject)
      .where(sql`subject is not null`),
    index('outbox_updates')
      .on(t.updatesId)
      .where(sql`updates_id is not null`),
    // A WeCom card click names the message it came from: found without reading every sent row.
    index('outbox_message')
      .on(t.messageId)
      .where(sql`message_id is not null`),
  ],
)

export const auditLog = sqliteTable(
  'audit_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: integer('at').notNull(),
    actorPersonId: integer('actor_person_id'),
    entity: text('entity').notNull(),
    entityId: integer('entity_id').notNull(),
    action: text('action').notNull(),
    before: text('before', { mode: 'json' }),
    after: text('after', { mode: 'json' }),
  },
  (t) => [index('audit_entity').on(t.entity, t.entityId)],
)

export const holidayOverrides = sqliteTable('holiday_overrides', {
  date: text('date').primaryKey(),
  kind: text('kind', { enum: ['workday', 'holiday'] }).notNull(),
  note: text('note').notNull().default(''),
})

/** Key–value settings and rule presets (colour rule, scoring weights, dispatch calendar), JSON values. */
export const settings = sqliteTable('settings', {
  key: text('key').primaryKey(),
  value: text('value', { mode: 'json' }).notNull(),
})

/** A conversation waiting for the person's answer (confirm a parsed reply, pick a project…). */
export const pendingActions = sqliteTable('pending_actions', {
  personId: integer('person_id').primaryKey(),
  kind: text('kind').notNull(),
  data: text('data', { mode: 'json' }).notNull(),
  expiresAt: integer('expires_at').notNull(),
})

/**
 * Every 「绑定 …」 an unbound account typed, and what became of it. A typed mobile never binds by itself: a
 * roster match waits for the office (`pending` → `approved` / `rejected`), or a one-time code from the office
 * binds it (`code`). Rows of the last hour are the account's attempt count (5 an hour), so a restart does not
 * reset it. `unmatched`: no such mobile in the roster; `held`: that person is already bound on the platform;
 * `repeat`: the same request again; `badcode`: a wrong or expired code; `superseded`: the account was bound
 * another way meanwhile.
 */
export const BIND_REQUEST_STATES = ['pending', 'approved', 'rejected', 'unmatched', 'held', 'repeat', 'code', 'badcode', 'superseded'] as const
export type BindRequestState = (typeof BIND_REQUEST_STATES)[number]

export const bindRequests = sqliteTable(
  'bind_requests',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    platform: text('platform', { enum: ['feishu', 'wecom', 'local'] }).notNull(),
    userId: text('user_id').notNull(),
    /** The chat the request came from, so the answer reaches the requester before they are bound. */
    chatId: text('chat_id').notNull(),
    /** The name the platform gave for the account (shown to the office; never trusted). */
    accountName: text('account_name'),
    mobile: text('mobile').notNull(),
    personId: integer('person_id').references(() => people.id),
    state: text('state', { enum: BIND_REQUEST_STATES }).notNull(),
    createdAt: integer('created_at').notNull(),
    decidedAt: integer('decided_at'),
    decidedBy: integer('decided_by').references(() => people.id),
  },
  (t) => [index('bind_requests_account').on(t.platform, t.userId, t.createdAt), index('bind_requests_state').on(t.state)],
)

/** One-time binding codes the office hands out (`diaodu bind --code`): 6 digits, valid 72 h, used once. */
export const bindCodes = sqliteTable(
  'bind_codes',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    personId: integer('person_id')
      .notNull()
      .references(() => people.id),
    code: text('code').notNull(),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
    usedAt: integer('used_at'),
    /** 'feishu:ou_…' of the account that used it. */
    usedBy: text('used_by'),
  },
  (t) => [index('bind_codes_person').on(t.personId)],
)

/**
 * WeCom response codes (drizzle/0009_wecom_cards.sql): `message/send` answers one for each template card, and
 * each click's callback carries another; each lets `update_template_card` replace that member's card once,
 * within 72 h (doc /94945). A card changed by another route (a report on the form page, a problem closed by
 * someone else) is brought up to date with the newest unspent code of its task_id (channels/wecom/cards.ts).
 */
export const wecomCardCodes = sqliteTable(
  'wecom_card_codes',
  {
    code: text('code').primaryKey(),
    /** The card's task_id (its outbox row's message_id). */
    taskId: text('task_id').notNull(),
    /** The member whose card it updates. */
    userId: text('user_id').notNull(),
    issuedAt: integer('issued_at').notNull(),
    spentAt: integer('spent_at'),
  },
  (t) => [index('wecom_card_codes_task').on(t.taskId, t.spentAt)],
)

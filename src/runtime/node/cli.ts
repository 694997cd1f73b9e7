/**
 * The `diaodu` command (Node entry). Every command opens DATABASE_PATH like the server. Bad arguments print
 * one line in Chinese and English and exit with code 2; nothing prints a stack trace at a person.
 */
import { parseArgs } from 'node:util'
import { z } from 'zod'
import { ConfigError, loadConfig } from '../../config.ts'
import { openNodeDatabase, type NodeDatabase } from './sqlite.ts'
import { isEmpty, loadDemoCounty } from '../../demo/county.ts'
import { loadCalendar, loadRules } from '../../services/rules.ts'
import { boardOfMonth, noDataText } from '../../services/boards.ts'
import { NotFound, projectStatus } from '../../services/status.ts'
import { parsePeriod, statisticalMonth } from '../../domain/periods.ts'
import { localDate, localDateTime, parseLocalDate } from '../../domain/time.ts'
import { formatWan, yuanToWan } from '../../domain/money.ts'
import { formatPercent, toPercent } from '../../domain/ratio.ts'
import { gapPoints } from '../../domain/schedule.ts'
import { COLOUR_LABELS } from '../../domain/colours.ts'
import { formatScore } from '../../domain/scoring.ts'
import { LEAGUES, people } from '../../store/schema.ts'
import { bindIdentity, identityOfPerson, issueBindCode, personByMobile } from '../../store/repos/directory.ts'
import { BIND_CODE_VALID_MS, formatSyncReport, resolveIdentities } from '../../bot/identity.ts'
import { createSdkSender } from '../../channels/feishu/index.ts'
import { randomInt } from 'node:crypto'
import { parseMessage } from '../../domain/parse/index.ts'
import { formatTickReport, runTick } from '../../jobs/tick.ts'
import { createIntake } from '../../intake/index.ts'
import { decoders } from '../../channels/index.ts'
import { inboundById, inboundByStatus } from '../../store/repos/inbound.ts'
import { getSetting } from '../../store/repos/settings.ts'
import { silentLogger } from '../../log.ts'
import { DEMO_MARK, PROBLEM_STATE_LABELS } from '../../cards/conversation.ts'
import { findProject } from '../../bot/lookup.ts'
import type { Db } from '../../store/db.ts'
import { WORKBOOK_USAGE, runWorkbook, WORKBOOK_COMMANDS } from './cli-workbook.ts'
import { WECOM_GROUP_USAGE, runWecomGroup } from './cli-wecom.ts'
import { issueLoginLink } from '../../web/index.ts'
import { eq } from 'drizzle-orm'

class UsageError extends Error {}

const USAGE = `用法 usage: diaodu <command>
  help                                             列出命令 this list (also --help)
  demo                                             载入演示县 load the demo county
  board --period YYYY-MM [--league 乡镇] [--json]   赛马排名 monthly board
  status --project 编号或名称 [--period YYYY-MM] [--json]  项目状态 one project, by code or (fuzzy) name
  deadline --from YYYY-MM-DD --workdays N           N 个工作日后的日期 date after N working days
  parse "<text>"                                   解析一条消息 what the bot understands
  bind --mobile 139… --platform feishu --user ou_…  预先绑定账号 pre-bind a chat account to the roster
  bind --sync                                      按名册手机号从飞书通讯录绑定账号 bind the roster through the Feishu directory
  bind --code --mobile 139…                        生成一次性绑定验证码（72 小时） a one-time code for 「绑定 手机号 验证码」
  login-link --person 手机号或姓名                  驾驶舱一次性登录链接（30 分钟） a sign-in link to the web pages
  tick --at ISO_TIME [--dry-run] [--json]           运行到期的调度任务 run what is due as of that time
  inbound [--status failed] [--json]                收到的消息记录 inbound rows (failed by default)
  inbound --retry ID                                重新处理一条失败的消息 run the bot again on a failed row
${WORKBOOK_USAGE}
${WECOM_GROUP_USAGE}`

const period = z.string().refine((s) => {
  try {
    return parsePeriod(s).kind === 'month'
  } catch {
    return false
  }
}, '月份应为 YYYY-MM，例如 2026-10 (period must be YYYY-MM)')
const date = z.string().refine((s) => {
  try {
    return (parseLocalDate(s), true)
  } catch {
    return false
  }
}, '日期应为 YYYY-MM-DD，例如 2026-09-30 (date must be YYYY-MM-DD)')

/**
 * A whole number from `min` to `max`, written in digits: one message in Chinese and English for anything
 * else (zod's own "expected number, received NaN" never reaches a person).
 */
const wholeNumber = (min: number, max: number, what: string, english: string) => {
  const message =
    max === Number.MAX_SAFE_INTEGER
      ? `${what}应为不小于 ${min} 的整数 (${english} must be a whole number, at least ${min})`
      : `${what}应为 ${min}–${max} 的整数 (${english} must be a whole number from ${min} to ${max})`
  return z
    .string({ message })
    .trim()
    .regex(/^[+-]?\d{1,16}$/, message)
    .transform(Number)
    .refine((n) => n >= min && n <= max, message)
}

function check<T>(schema: z.ZodType<T>, value: unknown, name: string): T {
  const r = schema.safeParse(value)
  if (!r.success) {
    const message = r.error.issues[0]?.message
    // Every schema here carries its own bilingual message; zod's English defaults are replaced.
    throw new UsageError(
      `--${name}: ${message && /[\u4e00-\u9fff]/.test(message) ? message : value === undefined ? '缺少该参数 (missing)' : '无效 (invalid)'}`,
    )
  }
  return r.data
}

/** Options that take a value; `--workdays -3` is read as the value −3, not as an option named 3. */
const VALUE_OPTIONS = ['period', 'league', 'project', 'from', 'workdays', 'mobile', 'platform', 'user', 'at', 'status', 'retry', 'person'] as const

/** `--workdays -3` → `--workdays=-3`, so a negative number reaches the check and gets its own message. */
function joinNegativeValues(args: string[]): string[] {
  const out: string[] = []
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!
    const next = args[i + 1]
    if (
      a.startsWith('--') &&
      !a.includes('=') &&
      (VALUE_OPTIONS as readonly string[]).includes(a.slice(2)) &&
      next !== undefined &&
      /^-\d/.test(next)
    ) {
      out.push(`${a}=${next}`)
      i++
    } else out.push(a)
  }
  return out
}

/** Node's parseArgs errors as one line in Chinese and English. */
function argumentError(e: unknown): UsageError {
  const err = e as { code?: string; message?: string }
  const option = /'(-{1,2}[^' ]+)/.exec(err.message ?? '')?.[1] ?? ''
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return new UsageError(`未知参数 ${option}（diaodu help 查看用法） (unknown option ${option}; see diaodu help)`)
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return new UsageError(
        /ambiguous|argument missing/.test(err.message ?? '')
          ? `参数 ${option} 缺少值 (${option} needs a value)`
          : `参数 ${option} 不需要值 (${option} takes no value)`,
      )
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return new UsageError(`多余的参数（diaodu help 查看用法） (unexpected argument; see diaodu help)`)
    default:
      return new UsageError(`参数错误（diaodu help 查看用法） (bad arguments; see diaodu help)`)
  }
}

const HELP = new Set(['help', '--help', '-h', '帮助'])

export async function run(argv: string[], now: Date, out: (s: string) => void): Promise<void> {
  const [command, ...rest] = argv
  if (command !== undefined && WORKBOOK_COMMANDS.has(command) && !rest.includes('--help')) return runWorkbook(command, rest, now, out)
  if (command === 'wecom-group' && !rest.includes('--help')) return runWecomGroup(rest, now, out)
  if (command !== undefined && HELP.has(command)) return out(USAGE)
  if (rest.includes('--help') || rest.includes('-h')) return out(USAGE)
  const { values, positionals } = (() => {
    try {
      return parseArgs({
        args: joinNegativeValues(rest),
        allowPositionals: true,
        options: {
          period: { type: 'string' },
          league: { type: 'string' },
          json: { type: 'boolean', default: false },
          project: { type: 'string' },
          from: { type: 'string' },
          workdays: { type: 'string' },
          mobile: { type: 'string' },
          platform: { type: 'string' },
          user: { type: 'string' },
          at: { type: 'string' },
          'dry-run': { type: 'boolean', default: false },
          status: { type: 'string' },
          retry: { type: 'string' },
          sync: { type: 'boolean', default: false },
          code: { type: 'boolean', default: false },
          person: { type: 'string' },
        },
      })
    } catch (e) {
      throw argumentError(e)
    }
  })()

  if (command === 'parse') {
    const text = positionals.join(' ')
    if (!text.trim()) throw new UsageError('parse 需要一段文字 (parse needs the text), e.g. diaodu parse "本月完成投资1200万元"')
    out(JSON.stringify(parseMessage(text)))
    return
  }
  if (command === 'deadline') {
    const from = check(date, values.from, 'from')
    const n = check(wholeNumber(0, 366, '工作日数', 'workdays'), values.workdays, 'workdays')
    return withDb(async ({ db }) => {
      const calendar = await loadCalendar(db)
      out(calendar.addWorkdays(from, n))
      const warning = calendar.coverage(Number(from.slice(0, 4)))
      if (warning) console.error(warning)
    })
  }
  if (command === 'bind' && values.sync) {
    return withDb(async ({ db, transact }) => {
      const config = loadConfig(process.env)
      if (!config.FEISHU_APP_ID || !config.FEISHU_APP_SECRET)
        throw new UsageError('bind --sync 需要 FEISHU_APP_ID 和 FEISHU_APP_SECRET (needs the Feishu app credentials)')
      const sender = createSdkSender({ appId: config.FEISHU_APP_ID, appSecret: config.FEISHU_APP_SECRET, domain: config.FEISHU_DOMAIN })
      const report = await resolveIdentities(
        db,
        { platform: 'feishu', batchSize: 50, userIdsByMobile: (m) => sender.userIdsByMobile(m) },
        { now, transact },
      )
      out(values.json ? JSON.stringify(report, null, 2) : formatSyncReport(report))
      if (report.failed) process.exitCode = 1
    })
  }
  if (command === 'bind' && values.code) {
    const mobile = check(z.string().regex(/^1[3-9]\d{9}$/, '手机号应为 11 位 (mobile must be 11 digits)'), values.mobile, 'mobile')
    return withDb(async ({ db }) => {
      const person = await personByMobile(db, mobile)
      if (!person) throw new NotFound(`名册中没有手机号 ${mobile} (no such mobile in the roster)`)
      const code = String(randomInt(0, 1_000_000)).padStart(6, '0')
      const at = now.getTime()
      await issueBindCode(db, person.id, code, at, BIND_CODE_VALID_MS)
      out(`${person.name} 的绑定验证码：${code}（${localDateTime(new Date(at + BIND_CODE_VALID_MS))} 前有效，仅可使用一次）`)
      out(`请本人向调度助手发送「绑定 ${mobile} ${code}」。`)
      for (const p of ['feishu', 'wecom'] as const) {
        const bound = await identityOfPerson(db, person.id, p)
        if (bound)
          console.error(
            `注意：${person.name} 已绑定${p === 'feishu' ? '飞书' : '企业微信'}账号 ${bound.userId}，验证码不会改绑该平台（改绑请用 --user）。`,
          )
      }
    })
  }
  if (command === 'bind') {
    const mobile = check(z.string().regex(/^1[3-9]\d{9}$/, '手机号应为 11 位 (mobile must be 11 digits)'), values.mobile, 'mobile')
    const platform = check(z.enum(['feishu', 'wecom'], { message: '平台应为 feishu 或 wecom (platform)' }), values.platform, 'platform')
    const user = check(z.string().min(1, '需要平台用户 ID，如飞书 open_id (user id needed)'), values.user ?? '', 'user')
    return withDb(async ({ db }) => {
      const person = await personByMobile(db, mobile)
      if (!person) throw new NotFound(`名册中没有手机号 ${mobile} (no such mobile in the roster)`)
      await bindIdentity(db, person.id, platform, user, now.getTime())
      out(`已绑定 ${person.name} → ${platform} ${user}`)
    })
  }
  if (command === 'login-link') {
    const who = check(z.string().trim().min(1, '需要手机号或姓名，例如 --person 13912345678 (mobile or name needed)'), values.person ?? '', 'person')
    return withDb(async ({ db }) => {
      const matches = /^1[3-9]\d{9}$/.test(who)
        ? [await personByMobile(db, who)].filter((p) => p !== undefined)
        : await db.select().from(people).where(eq(people.name, who)).all()
      if (matches.length === 0) throw new NotFound(`名册中没有「${who}」 (no such person in the roster)`)
      if (matches.length > 1)
        throw new UsageError(
          `名册中有 ${matches.length} 位「${who}」，请用手机号 (several people of that name; give the mobile): ${matches.map((p) => p.mobile ?? p.id).join(', ')}`,
        )
      const person = matches[0]!
      const { url, expiresAt } = await issueLoginLink(db, person.id, now)
      out(url)
      console.error(`${person.name}（${person.title ?? ''}）的驾驶舱登录链接，${localDateTime(expiresAt)} 前有效，仅可使用一次。`)
    })
  }
  if (command === 'tick') {
    const at =
      values.at === undefined
        ? now
        : new Date(
            check(
              z.string().refine((v) => !Number.isNaN(Date.parse(v)), '时间应为 ISO 格式，例如 2026-11-25T09:00:00+08:00 (ISO time)'),
              values.at,
              'at',
            ),
          )
    return withDb(async ({ db }) => {
      const config = loadConfig(process.env)
      const report = await runTick(db, at, values['dry-run'], config.channels)
      out(values.json ? JSON.stringify(report, null, 2) : formatTickReport(report))
    })
  }
  if (command === 'demo') {
    return withDb(async ({ db }) => {
      const { created, info } = await loadDemoCounty(db, now)
      out(created ? `已载入演示县 ${info.county}：${info.year} 年 1–${info.lastMonth} 月调度数据。` : `演示县 ${info.county} 已存在，未做改动。`)
    })
  }
  if (command === 'board') {
    const p = values.period === undefined ? statisticalMonth(localDate(now)) : check(period, values.period, 'period')
    const league =
      values.league === undefined
        ? undefined
        : check(z.enum(LEAGUES, { message: `联赛应为 ${LEAGUES.join(' / ')} (league)` }), values.league, 'league')
    return withDb(async ({ db }) => {
      const rules = await loadRules(db)
      // A published month as published (later corrections count from the next month); a month with no data says so.
      const board = await boardOfMonth(db, rules, p, now)
      const demo = await isDemo(db)
      if (!board && !(await isEmpty(db))) {
        out(values.json ? JSON.stringify({ period: p, demo, noData: true, message: noDataText(p) }, null, 2) : noDataText(p))
        return
      }
      const leagues = (board?.leagues ?? []).filter((l) => !league || l.league === league)
      if (leagues.every((l) => l.lines.length === 0) && !values.json) {
        out('暂无单位和项目。请先运行 diaodu demo 载入演示县，或导入项目清单。(no units yet)')
        return
      }
      if (values.json) {
        out(
          JSON.stringify(
            {
              period: p,
              demo,
              leagues: leagues.map((l) => ({
                league: l.league,
                rows: l.lines.map((x) => ({
                  rank: x.rank,
                  unit: x.unit,
                  score: Number(formatScore(x.score, 4)),
                  completionPercent: x.completion ? toPercent(x.completion) : null,
                  gapPoints: x.completion && x.schedule ? gapPoints(x.completion, x.schedule).points : null,
                  planWan: yuanToWan(x.plan),
                  ytdWan: yuanToWan(x.ytd),
                  colours: x.colours,
                  deltaRank: x.deltaRank,
                })),
              })),
            },
            null,
            2,
          ),
        )
        return
      }
      for (const l of leagues) {
        out(`${p} 赛马排名 · ${l.league}`)
        out(['排名', '单位', '得分', '完成率', '较序时', '蓝/黄/红', '名次变化'].join('\t'))
        for (const x of l.lines) {
          const gap = x.completion && x.schedule ? gapPoints(x.completion, x.schedule).pointsText : '—'
          const delta = x.deltaRank === null ? '新' : x.deltaRank > 0 ? `↑${x.deltaRank}` : x.deltaRank < 0 ? `↓${-x.deltaRank}` : '—'
          out(
            [
              x.rank,
              x.unit,
              formatScore(x.score),
              x.completion ? formatPercent(x.completion) : '—',
              gap,
              `${x.colours.blue}/${x.colours.yellow}/${x.colours.red}`,
              delta,
            ].join('\t'),
          )
        }
        out('')
      }
      if (demo) out(DEMO_NOTE)
    })
  }
  if (command === 'status') {
    const query = (values.project ?? positionals.join(' ')).trim()
    if (!query) throw new UsageError('status 需要项目编号或名称，例如 --project 城东污水厂 (status needs --project CODE or a name)')
    const p = values.period === undefined ? statisticalMonth(localDate(now)) : check(period, values.period, 'period')
    return withDb(async ({ db }) => {
      // As the bot finds it: a code, a name or part of one (查 城东污水厂).
      const found = await findProject(db, query)
      if (found.kind === 'none') throw new NotFound(`没有编号或名称为 ${query} 的项目 (no such project)`)
      if (found.kind === 'unsure')
        throw new NotFound(
          `「${query}」可能是：${found.options.map((o) => `${o.name}（${o.code}）`).join('、')}，请写得更完整或用编号 (which one? give more of the name or the code)`,
        )
      const s = await projectStatus(db, await loadRules(db), found.item, p)
      const demo = await isDemo(db)
      const v = s.view
      const gap = v.completion && v.schedule ? gapPoints(v.completion, v.schedule) : null
      if (values.json) {
        out(
          JSON.stringify(
            {
              code: s.project.code,
              name: s.project.name,
              unit: s.unit,
              period: p,
              demo,
              annualPlanWan: yuanToWan(v.annualPlan),
              ytdWan: yuanToWan(v.ytd),
              completionPercent: v.completion ? toPercent(v.completion) : null,
              schedulePercent: v.schedule ? toPercent(v.schedule) : null,
              gapPoints: gap?.points ?? null,
              colour: v.verdict.colour,
              colourLabel: COLOUR_LABELS[v.verdict.colour],
              urges: v.urges,
              reported: v.reported,
              progress: s.latest?.progressText ?? null,
              openProblems: s.openProblems.map((x) => ({
                id: x.id,
                description: x.description,
                state: x.state,
                stateLabel: PROBLEM_STATE_LABELS[x.state as keyof typeof PROBLEM_STATE_LABELS] ?? x.state,
              })),
            },
            null,
            2,
          ),
        )
        return
      }
      out(`${s.project.code} ${s.project.name}（${s.unit}）${p}`)
      if (s.published) out(`本月排名已于 ${localDateTime(new Date(s.published.at))} 发布，以下为发布时的数据；此后的更正计入下月`)
      out(`年度计划 ${formatWan(v.annualPlan)} 万元，本年累计 ${formatWan(v.ytd)} 万元`)
      out(
        `完成率 ${v.completion ? formatPercent(v.completion) : '—'}，序时 ${v.schedule ? formatPercent(v.schedule) : '—'}，较序时 ${gap ? gap.pointsText : '—'} 个百分点`,
      )
      out(`色牌 ${COLOUR_LABELS[v.verdict.colour]}，连续催办 ${v.urges} 次，${v.reported ? (v.onTime ? '已按时填报' : '逾期填报') : '未填报'}`)
      if (s.latest) out(`形象进度 ${s.latest.progressText || '—'}`)
      for (const x of s.openProblems)
        out(`问题 #${x.id} ${x.description}（${PROBLEM_STATE_LABELS[x.state as keyof typeof PROBLEM_STATE_LABELS] ?? x.state}）`)
      if (demo) out(DEMO_NOTE)
    })
  }
  if (command === 'inbound') {
    if (values.retry !== undefined) {
      const id = check(wholeNumber(1, Number.MAX_SAFE_INTEGER, '消息记录编号', 'the row id'), values.retry, 'retry')
      return withDb(async ({ db, transact }) => {
        const config = loadConfig(process.env)
        // Any platform's row: its channel's decoder reads the stored payload back.
        const intake = createIntake({ db, logger: silentLogger, now: () => now, platforms: config.channels, decoders: decoders(db), transact })
        const status = await intake.retry(id)
        await intake.idle()
        const row = await inboundById(db, id)
        out(status === 'processed' ? `#${id} 已重新处理，回复已进入发件队列。` : `#${id} 仍未成功（${status}）：${row?.error ?? ''}`)
      })
    }
    const status = check(
      z.enum(['failed', 'received', 'processed', 'ignored'], { message: '状态应为 failed / received / processed / ignored (status)' }),
      values.status ?? 'failed',
      'status',
    )
    return withDb(async ({ db }) => {
      const rows = await inboundByStatus(db, status)
      if (values.json)
        return out(
          JSON.stringify(
            rows.map(({ raw: _raw, ...r }) => r),
            null,
            2,
          ),
        )
      if (rows.length === 0) return out(`没有状态为 ${status} 的消息记录。(none)`)
      for (const r of rows) {
        out([`#${r.id}`, r.platform, localDateTime(new Date(r.receivedAt)), r.dedupeKey, r.status, r.error ?? ''].join('\t'))
      }
    })
  }
  if (command === undefined) throw new UsageError(`请给出命令（diaodu help 列出全部命令） (no command given; diaodu help lists them)`)
  throw new UsageError(`未知命令 ${command}（diaodu help 列出全部命令） (unknown command ${command}; diaodu help lists them)`)
}

async function withDb(fn: (d: NodeDatabase) => Promise<void>) {
  const config = loadConfig(process.env)
  const database = openNodeDatabase(config.DATABASE_PATH)
  try {
    await fn(database)
  } finally {
    database.close()
  }
}

const DEMO_NOTE = `${DEMO_MARK}以上为演示县数据：单位、项目和数字均为虚构`

async function isDemo(db: Db): Promise<boolean> {
  return (await getSetting(db, 'demo')) !== undefined
}

/** The process entry used by bin/diaodu.js: exit code 2 for a person's mistake, 1 for ours. */
export function main(): void {
  const now = async () => {
    const fixed = loadConfig(process.env).DIAODU_NOW
    return fixed === undefined ? new Date() : new Date(fixed)
  }
  now()
    .then((at) => run(process.argv.slice(2), at, (s) => console.log(s)))
    .catch((e) => {
      if (e instanceof UsageError || e instanceof ConfigError || e instanceof NotFound || e instanceof RangeError) {
        console.error(e.message)
        process.exit(2)
      }
      console.error(`出错了 (error): ${(e as Error).message}`)
      process.exit(1)
    })
}

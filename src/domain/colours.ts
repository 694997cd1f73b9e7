/**
 * 三色管理: the monthly blue / yellow / red card of a project against 序时进度.
 *
 * The county default is lingchuan-2021 (五、挂图作战机制): "对达到或超序时进度的项目，当月贴蓝牌标识；对推进迟缓、
 * 不达序时进度，连续催办两次仍未达标的项目，当月贴黄牌标识 …；连续两个月被黄牌标识的，贴红牌标识". Other
 * places grade by how far behind a project is (银川: 10–30 points → yellow, over 30 → red; 三亚: up to 50 % of
 * 序时 → yellow, more → red); all three are the same decision with different numbers, so a rule is data:
 *
 * 1. no plan or no data → 'none';
 * 2. 完成率 ≥ 序时 (exactly, on fractions) → 'blue';
 * 3. otherwise the band by how far behind: past `red…` → red, at or past `yellow…` → yellow, else 'watch';
 * 4. a yellow or red band is held at 'watch' until the project has had `urgesBeforeCard` consecutive 催办 (counted
 *    by the database: lag 催办 since the project last stood at 序时, missing-report ones too with `countMissingUrges`);
 * 5. with `redAfterRepeatYellow`, a yellow after last month's yellow or red becomes red.
 *
 * 'watch' (预警) means behind 序时 but not carded: shown to the unit, not published as a card.
 */
import { compare, compareDifference, compareQuotient, fromDecimal, fromPoints, multiply, ratio, subtract } from './ratio.ts'
import type { Ratio } from './ratio.ts'
import { describeGap, gapPoints } from './schedule.ts'
import type { Gap } from './schedule.ts'

export type Colour = 'blue' | 'watch' | 'yellow' | 'red' | 'none'

/** Chinese labels for cards and bulletins. */
export const COLOUR_LABELS: Readonly<Record<Colour, string>> = {
  blue: '蓝牌',
  watch: '预警',
  yellow: '黄牌',
  red: '红牌',
  none: '无计划',
}

/** Settings every rule shares. */
export interface ColourRuleCommon {
  /** 催办 a behind project must have had this month before it is carded yellow or red; 0 cards at once. */
  urgesBeforeCard: number
  /** Yellow this month after a yellow or red last month → red ("连续两个月被黄牌标识的，贴红牌"). */
  redAfterRepeatYellow: boolean
  /**
   * Whether missing-report 催办 count toward `urgesBeforeCard` beside the lag 催办 (default false: lingchuan-2021
   * counts the 催办 for lag, "推进迟缓、不达序时进度，连续催办两次").
   */
  countMissingUrges?: boolean
  /** Days the sector's 指挥长 has for the 约谈 a yellow card sets off (default 10). */
  interviewWithinDays?: number
}

/** Any shortfall against 序时 is the yellow band; red comes only from repeats. */
export interface Lingchuan2021Rule extends ColourRuleCommon {
  kind: 'lingchuan2021'
}

/** Bands in percentage points behind 序时: yellow when behind ≥ `yellowFrom`, red when behind > `redFrom`. */
export interface PointBandsRule extends ColourRuleCommon {
  kind: 'pointBands'
  yellowFrom: number
  redFrom: number
}

/**
 * Bands in percent of 序时: with 序时 = 80 % and 完成率 = 30 %, the project is (80 − 30) ÷ 80 = 62.5 % short.
 * Yellow when short by ≥ `yellowFromPercent`, red when short by > `redFromPercent`.
 */
export interface ShareOfScheduleRule extends ColourRuleCommon {
  kind: 'shareOfSchedule'
  yellowFromPercent: number
  redFromPercent: number
}

export type ColourRule = Lingchuan2021Rule | PointBandsRule | ShareOfScheduleRule

/** The rules seen in the seeds and research, ready to pick by name in configuration. */
export const COLOUR_PRESETS = {
  /** 陵川 2021 (default): behind after two 催办 → yellow; yellow two months running → red. */
  lingchuan2021: { kind: 'lingchuan2021', urgesBeforeCard: 2, redAfterRepeatYellow: true },
  /** 银川 2025: 10–30 points behind → yellow, more than 30 → red; 0–10 behind is 'watch'. */
  pointBands: { kind: 'pointBands', yellowFrom: 10, redFrom: 30, urgesBeforeCard: 0, redAfterRepeatYellow: false },
  /** 三亚 2022: below 序时 by up to 50 % of 序时 → yellow, more → red. */
  shareOfSchedule: {
    kind: 'shareOfSchedule',
    yellowFromPercent: 0,
    redFromPercent: 50,
    urgesBeforeCard: 0,
    redAfterRepeatYellow: false,
  },
} as const satisfies Record<string, ColourRule>

export type ColourPresetName = keyof typeof COLOUR_PRESETS

export const DEFAULT_COLOUR_RULE: ColourRule = COLOUR_PRESETS.lingchuan2021

/** One project's month. */
export interface ColourInput {
  /** 完成率 (本年累计 ÷ 年度计划); null when there is no plan or no report. */
  completion: Ratio | null
  /** 序时 for the same statistical month; null when unknown. */
  schedule: Ratio | null
  /** Consecutive 催办 that count toward the card, up to this month's decision (default 0). */
  urgeCount?: number
  /** Last month's colour, for the repeat rule (default none). */
  previousColour?: Colour | null
}

/** A colour with the reasons behind it, for 通报 text and audit. */
export interface ColourVerdict {
  colour: Colour
  /** The colour the gap alone deserves, before the 催办 gate and the repeat rule. */
  band: Colour
  gap: Gap | null
  /** True when a yellow or red band was held at 'watch' for want of 催办. */
  heldForUrges: boolean
  /** True when the repeat rule turned yellow into red. */
  repeated: boolean
}

/**
 * The card for a project this month: `colourOf({ completion: ratio(70, 100), schedule: ratio(10, 12),
 * urgeCount: 2, previousColour: 'yellow' })` → 'red' under the default rule.
 */
export function colourOf(input: ColourInput, rule: ColourRule = DEFAULT_COLOUR_RULE): Colour {
  return decide(input, rule).colour
}

/** `colourOf` with its reasons. */
export function colourVerdict(input: ColourInput, rule: ColourRule = DEFAULT_COLOUR_RULE): ColourVerdict {
  const d = decide(input, rule)
  const gap = input.completion === null || input.schedule === null ? null : gapPoints(input.completion, input.schedule)
  return { ...d, gap }
}

/** The decision without the gap figures: the board colours 100k projects and needs only the colour. */
function decide(input: ColourInput, rule: ColourRule): Omit<ColourVerdict, 'gap'> {
  checkRule(rule)
  const urges = input.urgeCount ?? 0
  if (!Number.isInteger(urges) || urges < 0) throw new RangeError(`urgeCount must be a whole number ≥ 0: ${urges}`)
  const { completion, schedule } = input
  if (completion === null || schedule === null) return { colour: 'none', band: 'none', heldForUrges: false, repeated: false }
  const band = bandOf(completion, schedule, rule)
  let colour: Colour = band
  let heldForUrges = false
  let repeated = false
  if ((band === 'yellow' || band === 'red') && urges < rule.urgesBeforeCard) {
    colour = 'watch'
    heldForUrges = true
  }
  const prev = input.previousColour ?? null
  if (colour === 'yellow' && rule.redAfterRepeatYellow && (prev === 'yellow' || prev === 'red')) {
    colour = 'red'
    repeated = true
  }
  return { colour, band, heldForUrges, repeated }
}

/**
 * One line for a 通报: '黄牌（落后序时 12.50 个百分点，已催办 2 次）', '红牌（连续两个月黄牌，落后序时 …）'.
 */
export function describeVerdict(v: ColourVerdict, urgeCount = 0): string {
  const label = COLOUR_LABELS[v.colour]
  if (v.gap === null) return label
  const parts: string[] = []
  if (v.repeated) parts.push('连续两个月黄牌')
  parts.push(describeGap(v.gap))
  if (v.colour === 'yellow' || v.colour === 'red' || v.heldForUrges) parts.push(`已催办 ${urgeCount} 次`)
  return `${label}（${parts.join('，')}）`
}

// ---------------------------------------------------------------------------------------------------------

function bandOf(completion: Ratio, schedule: Ratio, rule: ColourRule): Colour {
  if (compare(completion, schedule) >= 0) return 'blue'
  switch (rule.kind) {
    case 'lingchuan2021':
      return 'yellow'
    case 'pointBands':
      // How far behind: 序时 − 完成率, against the bands in points.
      if (compareDifference(schedule, completion, fromPoints(rule.redFrom)) > 0) return 'red'
      return compareDifference(schedule, completion, fromPoints(rule.yellowFrom)) >= 0 ? 'yellow' : 'watch'
    case 'shareOfSchedule': {
      // Short by more than p % of 序时 ⇔ 完成率 ÷ 序时 < 1 − p/100. 序时 > 0 here, since 完成率 < 序时.
      const keep = (percent: number): Ratio => subtract(ratio(1), multiply(fromDecimal(percent), ratio(1, 100)))
      if (compareQuotient(completion, schedule, keep(rule.redFromPercent)) < 0) return 'red'
      return compareQuotient(completion, schedule, keep(rule.yellowFromPercent)) <= 0 ? 'yellow' : 'watch'
    }
  }
}

function checkRule(rule: ColourRule): void {
  if (!Number.isInteger(rule.urgesBeforeCard) || rule.urgesBeforeCard < 0) {
    throw new RangeError(`urgesBeforeCard must be a whole number ≥ 0: ${rule.urgesBeforeCard}`)
  }
  if (rule.kind === 'pointBands' && !(rule.yellowFrom >= 0 && rule.yellowFrom <= rule.redFrom)) {
    throw new RangeError(`point bands need 0 ≤ yellowFrom ≤ redFrom: ${rule.yellowFrom}/${rule.redFrom}`)
  }
  if (
    rule.kind === 'shareOfSchedule' &&
    !(rule.yellowFromPercent >= 0 && rule.yellowFromPercent <= rule.redFromPercent && rule.redFromPercent <= 100)
  ) {
    throw new RangeError(`share bands need 0 ≤ yellowFromPercent ≤ redFromPercent ≤ 100: ${rule.yellowFromPercent}/${rule.redFromPercent}`)
  }
}

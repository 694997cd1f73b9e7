import { describe, expect, it } from 'vitest'
import { COLOUR_LABELS, COLOUR_PRESETS, DEFAULT_COLOUR_RULE, colourOf, colourVerdict, describeVerdict } from '../../src/domain/colours.ts'
import type { Colour, ColourRule } from '../../src/domain/colours.ts'
import { ratio } from '../../src/domain/ratio.ts'
import { monthLinear } from '../../src/domain/schedule.ts'

/** 完成率 in basis points (8333 = 83.33 %) against 序时 in basis points. */
const at = (completionBp: number, scheduleBp: number) => ({
  completion: ratio(completionBp, 10_000),
  schedule: ratio(scheduleBp, 10_000),
})

describe('lingchuan-2021 (default): 蓝 at 序时, 黄 after two 催办, 红 after two yellow months', () => {
  const oct = monthLinear(10)
  it.each<{ name: string; completion: number; urges: number; previous: Colour | null; want: Colour }>([
    { name: 'blue when ahead of 序时', completion: 9000, urges: 0, previous: null, want: 'blue' },
    { name: 'blue when behind last month but caught up', completion: 9000, urges: 2, previous: 'yellow', want: 'blue' },
    { name: 'watch when behind with no 催办 yet', completion: 8000, urges: 0, previous: null, want: 'watch' },
    { name: 'watch when behind after one 催办', completion: 8000, urges: 1, previous: null, want: 'watch' },
    { name: 'yellow after two reminders', completion: 8000, urges: 2, previous: null, want: 'yellow' },
    { name: 'yellow after three reminders', completion: 8000, urges: 3, previous: 'blue', want: 'yellow' },
    { name: 'yellow after a watch month', completion: 8000, urges: 2, previous: 'watch', want: 'yellow' },
    { name: 'red when yellow two months running', completion: 8000, urges: 2, previous: 'yellow', want: 'red' },
    { name: 'red stays red while still behind', completion: 8000, urges: 2, previous: 'red', want: 'red' },
    { name: 'no red while this month has had fewer than two 催办', completion: 8000, urges: 1, previous: 'yellow', want: 'watch' },
    { name: 'no red after a month without a plan', completion: 8000, urges: 2, previous: 'none', want: 'yellow' },
    { name: 'tiny shortfall still counts', completion: 0, urges: 2, previous: null, want: 'yellow' },
  ])('$name', ({ completion, urges, previous, want }) => {
    expect(colourOf({ completion: ratio(completion, 10_000), schedule: oct, urgeCount: urges, previousColour: previous })).toBe(want)
  })

  it('blue exactly at 序时, decided on fractions (10/12 is not 0.8333)', () => {
    expect(colourOf({ completion: ratio(10, 12), schedule: oct, urgeCount: 2 })).toBe('blue')
    expect(colourOf({ completion: ratio(5, 6), schedule: oct, urgeCount: 2 })).toBe('blue')
    expect(colourOf({ completion: ratio(8333, 10_000), schedule: oct, urgeCount: 2 })).toBe('yellow')
  })

  it('none when there is no plan or no data, whatever else is known', () => {
    expect(colourOf({ completion: null, schedule: oct, urgeCount: 5, previousColour: 'yellow' })).toBe('none')
    expect(colourOf({ completion: ratio(1, 2), schedule: null })).toBe('none')
  })

  it('is the default rule', () => {
    expect(DEFAULT_COLOUR_RULE).toEqual(COLOUR_PRESETS.lingchuan2021)
  })
})

describe('point bands (银川: 10–30 points behind yellow, more than 30 red)', () => {
  const rule = COLOUR_PRESETS.pointBands
  it.each([
    { name: 'blue at 序时', c: 8000, want: 'blue' },
    { name: 'watch 5 points behind', c: 7500, want: 'watch' },
    { name: 'watch 9.99 points behind', c: 7001, want: 'watch' },
    { name: 'yellow exactly 10 points behind', c: 7000, want: 'yellow' },
    { name: 'yellow exactly 30 points behind', c: 5000, want: 'yellow' },
    { name: 'red 30.01 points behind', c: 4999, want: 'red' },
    { name: 'red at zero', c: 0, want: 'red' },
  ])('$name', ({ c, want }) => {
    expect(colourOf(at(c, 8000), rule)).toBe(want)
  })

  it('compares a thin margin past the band exactly: 30 points and 1/30000 behind is red', () => {
    // 序时 1/3, 完成率 1/30 − 1/30000 behind the 30-point line: floats get these wrong easily.
    expect(colourOf({ completion: ratio(1, 30), schedule: ratio(1, 3) }, rule)).toBe('yellow')
    expect(colourOf({ completion: ratio(999, 30_000), schedule: ratio(1, 3) }, rule)).toBe('red')
  })

  it('takes custom numbers, including the 0/10 bands', () => {
    const tight: ColourRule = { ...rule, yellowFrom: 0, redFrom: 10 }
    expect(colourOf(at(7999, 8000), tight)).toBe('yellow')
    expect(colourOf(at(7000, 8000), tight)).toBe('yellow')
    expect(colourOf(at(6999, 8000), tight)).toBe('red')
  })

  it('can add the repeat-yellow overlay and a 催办 gate', () => {
    const strict: ColourRule = { ...rule, redAfterRepeatYellow: true, urgesBeforeCard: 1 }
    expect(colourOf({ ...at(6500, 8000), urgeCount: 1, previousColour: 'yellow' }, strict)).toBe('red')
    expect(colourOf({ ...at(6500, 8000), urgeCount: 1, previousColour: 'watch' }, strict)).toBe('yellow')
    expect(colourOf({ ...at(1000, 8000), urgeCount: 0 }, strict)).toBe('watch')
  })
})

describe('share of 序时 (三亚: short by up to 50 % of 序时 yellow, more red)', () => {
  const rule = COLOUR_PRESETS.shareOfSchedule
  it.each([
    { name: 'blue at 序时', c: 8000, s: 8000, want: 'blue' },
    { name: 'yellow just behind', c: 7999, s: 8000, want: 'yellow' },
    { name: 'yellow exactly half of 序时', c: 4000, s: 8000, want: 'yellow' },
    { name: 'red below half of 序时', c: 3999, s: 8000, want: 'red' },
    { name: 'blue when nothing is due yet', c: 0, s: 0, want: 'blue' },
    { name: 'red with nothing done', c: 0, s: 2500, want: 'red' },
  ])('$name', ({ c, s, want }) => {
    expect(colourOf(at(c, s), rule)).toBe(want)
  })

  it('a yellow threshold above 0 leaves a watch band', () => {
    const r: ColourRule = { ...rule, yellowFromPercent: 20 }
    expect(colourOf(at(6500, 8000), r)).toBe('watch') // 18.75 % short
    expect(colourOf(at(6400, 8000), r)).toBe('yellow') // 20 % short
  })
})

describe('verdicts and labels', () => {
  it('explains what the card rests on', () => {
    const v = colourVerdict({ ...at(7000, 8000), urgeCount: 1 })
    expect(v).toMatchObject({ colour: 'watch', band: 'yellow', heldForUrges: true, repeated: false })
    expect(v.gap?.points).toBe(-10)
    const red = colourVerdict({ ...at(7000, 8000), urgeCount: 2, previousColour: 'yellow' })
    expect(red).toMatchObject({ colour: 'red', band: 'yellow', repeated: true })
    expect(describeVerdict(red, 2)).toBe('红牌（连续两个月黄牌，落后序时 10.00 个百分点，已催办 2 次）')
    expect(describeVerdict(colourVerdict(at(9000, 8000)))).toBe('蓝牌（超序时 10.00 个百分点）')
    expect(describeVerdict(colourVerdict({ completion: null, schedule: null }))).toBe('无计划')
  })

  it('labels cards in Chinese', () => {
    expect(COLOUR_LABELS).toEqual({ blue: '蓝牌', watch: '预警', yellow: '黄牌', red: '红牌', none: '无计划' })
  })

  it.each<[string, ColourRule]>([
    ['inverted point bands', { ...COLOUR_PRESETS.pointBands, yellowFrom: 30, redFrom: 10 }],
    ['a share over 100 %', { ...COLOUR_PRESETS.shareOfSchedule, redFromPercent: 150 }],
    ['a negative 催办 count', { ...COLOUR_PRESETS.lingchuan2021, urgesBeforeCard: -1 }],
  ])('rejects %s', (_, rule) => {
    expect(() => colourOf(at(1, 2), rule)).toThrow(RangeError)
  })

  it('rejects a negative urge count', () => {
    expect(() => colourOf({ ...at(1, 2), urgeCount: -1 })).toThrow(RangeError)
  })
})

import { describe, expect, it } from 'vitest'
import {
  DEFAULT_DISPATCH,
  DispatchConfigError,
  inQuietHours,
  monthlyWindow,
  outOfQuietHours,
  reminderTime,
  resolveDispatch,
  weeklyBoardTime,
  weeklyWindow,
} from '../../src/domain/dispatch.ts'
import { loadDispatchCalendar } from '../../src/services/rules.ts'
import { createWorkdayCalendar } from '../../src/domain/workdays.ts'
import { shanghaiTime } from '../../src/domain/time.ts'
import { openNodeDatabase } from '../../src/runtime/node/sqlite.ts'
import { setSetting } from '../../src/store/repos/settings.ts'

const cal = createWorkdayCalendar()
const sh = (y: number, m: number, d: number, h = 0, min = 0) => shanghaiTime(y, m, d, h, min).getTime()

describe('the monthly round', () => {
  it('opens on the 25th 09:00 and closes on the 28th 18:00, a weekend deadline moved to Monday (顺延)', () => {
    const oct = monthlyWindow(DEFAULT_DISPATCH, cal, '2026-10')!
    expect([oct.opensAt, oct.deadlineAt]).toEqual([sh(2026, 10, 26, 9), sh(2026, 10, 28, 18)]) // 25 Oct is a Sunday
    const nov = monthlyWindow(DEFAULT_DISPATCH, cal, '2026-11')!
    expect([nov.opensAt, nov.deadlineAt]).toEqual([sh(2026, 11, 25, 9), sh(2026, 11, 30, 18)]) // 28 Nov is a Saturday
    expect(nov.closesAt).toBe(sh(2026, 12, 1, 18))
  })

  it('moves dates earlier with the "previous" policy and keeps them with "ignore"', () => {
    const prev = resolveDispatch({ monthly: { holidays: 'previous' } })
    expect(monthlyWindow(prev, cal, '2026-11')!.deadlineAt).toBe(sh(2026, 11, 27, 18))
    const keep = resolveDispatch({ monthly: { holidays: 'ignore' } })
    expect(monthlyWindow(keep, cal, '2026-11')!.deadlineAt).toBe(sh(2026, 11, 28, 18))
  })

  it('sends the reminders on working days before the deadline', () => {
    const nov = monthlyWindow(DEFAULT_DISPATCH, cal, '2026-11')!
    const [before, deadline] = DEFAULT_DISPATCH.monthly.reminders
    // The day before 30 Nov is a Sunday: the courtesy reminder goes on Friday 27th.
    expect(reminderTime(before!, nov, 'next', cal)).toBe(sh(2026, 11, 27, 9))
    expect(reminderTime(deadline!, nov, 'next', cal)).toBe(sh(2026, 11, 30, 9))
    // A reminder that would fall before the opening is dropped.
    expect(reminderTime({ key: 'x', kind: 'before', daysBefore: 10, time: '09:00' }, nov, 'next', cal)).toBeNull()
  })
})

describe('the weekly round and board', () => {
  it('opens Monday 09:00 with a Tuesday 12:00 deadline', () => {
    const w = weeklyWindow(DEFAULT_DISPATCH, cal, '2026-W48')!
    expect([w.opensAt, w.deadlineAt]).toEqual([sh(2026, 11, 23, 9), sh(2026, 11, 24, 12)])
    expect(weeklyBoardTime(DEFAULT_DISPATCH, cal, '2026-W48')).toBe(sh(2026, 11, 27, 17))
  })

  it('follows 国庆 and its 调休: no round in the holiday week, the board on the make-up Saturday', () => {
    // W40: Mon 28 Sep works, National Day from Thu 1 Oct. W41: Mon 5 Oct is a holiday, back on Thu 8 Oct.
    expect(weeklyWindow(DEFAULT_DISPATCH, cal, '2026-W40')!.opensAt).toBe(sh(2026, 9, 28, 9))
    const w41 = weeklyWindow(DEFAULT_DISPATCH, cal, '2026-W41')!
    expect([w41.opensAt, w41.deadlineAt]).toEqual([sh(2026, 10, 8, 9), sh(2026, 10, 8, 12)])
    // W40's Friday (2 Oct) is a holiday: the board moves to the last working day of the week, Wed 30 Sep.
    expect(weeklyBoardTime(DEFAULT_DISPATCH, cal, '2026-W40')).toBe(sh(2026, 9, 30, 17))
    // Spring Festival 2026 (15–23 Feb): no working day from Monday 16 Feb in W08.
    expect(weeklyWindow(DEFAULT_DISPATCH, cal, '2026-W08')).toBeNull()
    expect(weeklyBoardTime(DEFAULT_DISPATCH, cal, '2026-W08')).toBeNull()
  })
})

describe('quiet hours', () => {
  it('holds work from 22:00 to 07:30 and releases it at 07:30', () => {
    expect(inQuietHours(DEFAULT_DISPATCH, sh(2026, 11, 25, 21, 59))).toBe(false)
    expect(inQuietHours(DEFAULT_DISPATCH, sh(2026, 11, 25, 22))).toBe(true)
    expect(inQuietHours(DEFAULT_DISPATCH, sh(2026, 11, 26, 7, 29))).toBe(true)
    expect(inQuietHours(DEFAULT_DISPATCH, sh(2026, 11, 26, 7, 30))).toBe(false)
    expect(outOfQuietHours(DEFAULT_DISPATCH, sh(2026, 11, 25, 23))).toBe(sh(2026, 11, 26, 7, 30))
    expect(outOfQuietHours(DEFAULT_DISPATCH, sh(2026, 11, 26, 3))).toBe(sh(2026, 11, 26, 7, 30))
    expect(outOfQuietHours(DEFAULT_DISPATCH, sh(2026, 11, 26, 12))).toBe(sh(2026, 11, 26, 12))
    expect(inQuietHours(resolveDispatch({ quietHours: null }), sh(2026, 11, 26, 3))).toBe(false)
  })
})

describe('the dispatch setting', () => {
  it('overrides section by section and names bad fields in Chinese', async () => {
    const d = resolveDispatch({ monthly: { openDay: 20, deadlineDay: 23 }, weeklyBoard: { time: '16:30' } })
    expect(d.monthly).toMatchObject({ openDay: 20, deadlineDay: 23, openTime: '09:00', deadlineTime: '18:00' })
    expect(d.weeklyBoard).toMatchObject({ weekday: 5, time: '16:30' })
    expect(() => resolveDispatch({ monthly: { openTime: '9点' } })).toThrow(/dispatch\.monthly\.openTime: 时间应为 HH:MM/)
    expect(() => resolveDispatch({ monthly: { openDay: 26, deadlineDay: 25 } })).toThrow(DispatchConfigError)
    expect(() => resolveDispatch({ monthly: { opneDay: 20 } })).toThrow(/opneDay/)

    const { db, close } = openNodeDatabase(':memory:')
    expect(await loadDispatchCalendar(db)).toEqual(DEFAULT_DISPATCH)
    await setSetting(db, 'dispatch', { escalation: { everyWorkdays: 3 } })
    expect((await loadDispatchCalendar(db)).escalation.everyWorkdays).toBe(3)
    await setSetting(db, 'dispatch', { escalation: { everyWorkdays: 0 } })
    await expect(loadDispatchCalendar(db)).rejects.toThrow(/everyWorkdays/)
    close()
  })
})

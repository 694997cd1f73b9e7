/** 「开复工」: the 开复工台账 against the county's targets (dispatch.starts.targets), county-wide or of one's unit. */
import { z } from 'zod'
import type { BotResult } from '../../model/index.ts'
import type { Turn } from '../handle.ts'
import { command } from '../registry.ts'
import { isLeader, isOffice } from '../permissions.ts'
import { listUnits } from '../../store/repos/directory.ts'
import { loadDispatchCalendar } from '../../services/rules.ts'
import { startsOverview } from '../../services/starts.ts'
import { startsLedgerCard } from '../../cards/starts.ts'
import { localDate } from '../../domain/time.ts'

async function startsCommand(turn: Turn): Promise<BotResult> {
  const { db } = turn.ctx
  const dispatch = await loadDispatchCalendar(db)
  // Leaders and the office see the county; everyone else the projects of their own unit.
  const county = isOffice(turn.person) || isLeader(turn.person) || turn.person.unitId === null
  const unit = county ? undefined : (await listUnits(db)).find((u) => u.id === turn.person.unitId)
  const overview = await startsOverview(db, dispatch.starts.targets, localDate(turn.ctx.now), unit?.id)
  const card = startsLedgerCard(overview, unit ? unit.name : turn.ctx.rules.county.name, turn.ctx.demo, turn.ctx.rules.county)
  return { messages: [turn.reply({ kind: 'card', card })] }
}

export const startsCommands = [
  command({
    name: 'starts',
    words: ['开复工', '开复工台账', '开工台账', '复工台账', '开复工情况', '开工情况'],
    args: z.object({}),
    help: { line: '**开复工**：「开复工」查看开复工台账和开工目标完成情况' },
    run: startsCommand,
  }),
]

/**
 * Every command, typed or clicked, with who may run it. A new command is one entry here and one handler;
 * the parser (src/domain/parse) and the card buttons produce the same names.
 */
import type { BotResult, CommandName } from '../model.ts'
import type { Turn } from '../handle.ts'
import type { Person } from '../../store/repos/directory.ts'
import { leadersAndOffice, officeOnly } from '../permissions.ts'
import { ackCommand, bindWhenKnown, boardCommand, bulletinCommand, helpCommand, problemsCommand, queryCommand, redYellowCommand } from './queries.ts'
import { cancelCommand, confirmCommand, reportCommand, submitReportCommand } from './reporting.ts'
import { superviseCommand, urgeCommand } from './leadership.ts'
import { assignCommand, confirmCloseCommand, rejectCommand, requestCloseCommand, updateCommand } from './problems.ts'

export interface CommandHandler {
  /** A polite refusal when this person may not run the command; undefined when allowed. */
  allowed?: (p: Person) => string | undefined
  run: (turn: Turn, args: Record<string, unknown>) => Promise<BotResult>
}

export const COMMANDS: Record<CommandName, CommandHandler> = {
  help: { run: helpCommand },
  bind: { run: bindWhenKnown },
  query: { run: queryCommand },
  board: { run: boardCommand },
  redyellow: { run: redYellowCommand },
  problems: { run: problemsCommand },
  ack: { run: ackCommand },
  bulletin: { allowed: leadersAndOffice, run: bulletinCommand },
  supervise: { allowed: leadersAndOffice, run: superviseCommand },
  urge: { allowed: leadersAndOffice, run: urgeCommand },
  report: { run: reportCommand },
  submitReport: { run: submitReportCommand },
  confirm: { run: confirmCommand },
  cancel: { run: cancelCommand },
  assign: { allowed: officeOnly, run: assignCommand },
  update: { run: updateCommand },
  requestClose: { run: requestCloseCommand },
  confirmClose: { run: confirmCloseCommand },
  reject: { run: rejectCommand },
}

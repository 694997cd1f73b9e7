/** Argument schemas the command entries share: what the parser, a button or a form may hand a command. */
import { z } from 'zod'

/** A database id, from a number or the digits a button or form carries. */
export const id = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER)
/** A problem's number: null when the person did not write one (the handler asks for it). */
export const problemId = z.union([id, z.null()]).default(null)
/** A free-text argument, trimmed; absent or empty → undefined. */
export const words = z
  .string()
  .nullish()
  .transform((s) => s?.trim() || undefined)
/** Working days: a positive whole number from the parser (3个工作日) or a form. */
export const workdays = z.coerce.number().int().positive().max(366).optional()
/** A card form's inputs, by input name. */
export const form = z.record(z.string(), z.string()).default({})

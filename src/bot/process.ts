/**
 * Handling an inbound event end to end: run the bot, then queue everything it wants to say in the outbox with
 * keys derived from the event id, so a platform's retry of the same event queues nothing new.
 */
import type { BotContext } from './context.ts'
import type { BotResult, InboundEvent } from '../model/index.ts'
import { handleEvent } from './handle.ts'
import { replyKey } from '../outbox/keys.ts'
import { enqueue } from '../outbox/enqueue.ts'

export async function processEvent(ctx: BotContext, event: InboundEvent): Promise<BotResult> {
  const result = await handleEvent(ctx, event)
  const { unreachable } = await enqueue(
    ctx.db,
    { platforms: ctx.platforms },
    result.messages,
    ctx.now.getTime(),
    (i) => replyKey(event.platform, event.id, i),
  )
  if (unreachable.length) ctx.logger.warn('recipients not reachable on any enabled platform', { count: unreachable.length })
  return result
}

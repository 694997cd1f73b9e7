/**
 * The one conversation model every channel speaks. A channel adapter turns a platform payload into an
 * InboundEvent and renders an OutboundMessage into platform calls; the bot core sees nothing else.
 */

export type Platform = 'feishu' | 'wecom' | 'local'

/** Who sent something, as the platform names them (Feishu open_id, WeCom userid, local person id). */
export interface PlatformUser {
  platform: Platform
  userId: string
  unionId?: string
  name?: string
}

export interface ChatRef {
  platform: Platform
  /** Feishu chat_id (oc_…), WeCom chatid, or for a direct chat the user's own id. */
  chatId: string
  kind: 'direct' | 'group'
  name?: string
}

interface EventBase {
  /** Platform-unique id used to process each delivery once (Feishu event_id, WeCom MsgId…). */
  id: string
  platform: Platform
  receivedAt: Date
}

export type InboundEvent =
  | (EventBase & {
      type: 'text'
      sender: PlatformUser
      chat: ChatRef
      /** The text with any @-mention of the bot already removed. */
      text: string
      /** True in a group when the bot was @-mentioned (group messages without a mention are ignored). */
      mentionedBot: boolean
      messageId?: string
    })
  | (EventBase & {
      type: 'card_action'
      sender: PlatformUser
      chat: ChatRef
      /** The card message the action came from, so it can be updated in place. */
      messageId?: string
      /** The command the button stands for: the same command a person could type. */
      command: CommandName
      args: Record<string, unknown>
      /** Form input values keyed by input name, as strings (empty inputs omitted). */
      form?: Record<string, string>
    })
  | (EventBase & { type: 'bot_added'; chat: ChatRef; by?: PlatformUser })
  | (EventBase & { type: 'bot_removed'; chat: ChatRef })
  | (EventBase & { type: 'first_contact'; sender: PlatformUser; chat: ChatRef })

/**
 * The name of a command, typed or clicked ('board', 'submitReport'…). The bot's command registry
 * (src/bot/commands) is the list of names it knows; a name it does not know is refused politely.
 */
export type CommandName = string

/** Whether a value can be a command name (what a card button carries back); the registry decides if it is one. */
export function isCommandName(v: unknown): v is CommandName {
  return typeof v === 'string' && /^[a-z][A-Za-z]{0,31}$/.test(v)
}

/** Header colours shared by Feishu card templates and our local renderer. */
export type CardColour = 'blue' | 'wathet' | 'turquoise' | 'green' | 'yellow' | 'orange' | 'red' | 'grey' | 'purple'

export interface Button {
  label: string
  style?: 'primary' | 'danger' | 'default'
  command: CommandName
  args?: Record<string, string | number>
}

export interface FormInput {
  name: string
  label: string
  kind: 'text' | 'multiline' | 'number' | 'select' | 'date'
  placeholder?: string
  initial?: string
  required?: boolean
  options?: { value: string; label: string }[]
}

/** A reference to a person of ours, resolved by the channel into a platform @-mention. */
export interface Mention {
  personId: number
  name: string
}

export type CardElement =
  | { kind: 'markdown'; text: string }
  | { kind: 'fields'; fields: { label: string; value: string }[] }
  | { kind: 'divider' }
  | { kind: 'table'; columns: { key: string; label: string; numeric?: boolean }[]; rows: Record<string, string | number>[] }
  | { kind: 'chart'; title?: string; bars: { label: string; value: number }[]; unit?: string }
  | { kind: 'form'; name: string; inputs: FormInput[]; submit: Button }
  | { kind: 'actions'; buttons: Button[] }
  | { kind: 'mentions'; people: Mention[]; text?: string }
  | { kind: 'note'; text: string }

/** A card in platform-neutral form. `template` names the kind of card (see src/bot/cards.ts). */
export interface Card {
  template: string
  colour: CardColour
  title: string
  subtitle?: string
  /**
   * The item this card is about ('problem:29', 'supervision:12'): every card sent about it is updated
   * when the item changes (BotResult.refresh), so no chat keeps an outdated card that still acts.
   */
  subject?: string
  elements: CardElement[]
}

export type MessageBody = { kind: 'text'; text: string; mentions?: Mention[] } | { kind: 'card'; card: Card }

/** Where a message goes: one of our people, one of our groups, or straight back into a chat. */
export type Recipient = { kind: 'person'; personId: number } | { kind: 'group'; groupId: number } | { kind: 'chat'; chat: ChatRef }

export interface OutboundMessage {
  to: Recipient
  body: MessageBody
  /** Idempotency key: the same key is delivered at most once (Feishu `uuid`, our outbox's unique key). */
  key?: string
}

/** What handling one inbound event produced. */
export interface BotResult {
  /** For card actions: replaces the clicked card in place (Feishu callback response, WeCom update). */
  updateCard?: Card
  /** For card actions: a short toast shown to the clicker. */
  toast?: { kind: 'info' | 'success' | 'warning' | 'error'; text: string }
  messages: OutboundMessage[]
  /**
   * Items this turn changed: every card already sent (or queued) about `subject` is replaced by
   * `card(personId)` — the card as its reader should now see it (null: a group, or an account of no person
   * of ours). The clicked card is left to `updateCard`.
   */
  refresh?: CardRefresh[]
}

export interface CardRefresh {
  subject: string
  card: (personId: number | null) => Card
}

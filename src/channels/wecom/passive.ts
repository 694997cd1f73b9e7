/**
 * The passive reply to a card click (doc /90241 被动回复, research/wecom.md §4.2): the clicked card replaced in the
 * callback's own response, encrypted like a callback — no access_token, no `update_template_card` call, no
 * response_code spent (the click's stays for a later refresh), and it works where the API cannot be reached
 * (Workers without a 可信IP). It replaces the card of the clicking member only, which is every card of ours: app
 * messages are 1:1.
 *
 * - a new card with buttons → `update_template_card` with the whole card (XML-cased: CardType, MainTitle,
 *   SubTitleText, HorizontalContentList, ButtonList with Text/Style/Key or Type 1 + Url);
 * - one without buttons → `update_button`, the old buttons greyed out with a label (routes.ts then sends the new
 *   card as a message of its own, as after an API update).
 *
 * Runtime-agnostic (WebCrypto through crypto.ts).
 *
 * @example
 *   const body = await encryptedReply(passiveCardXml(card, { to: 'zhangsan', corpId, at }), { token, keys, corpId, nonce, timestamp })
 */
import type { Card } from '../../model/index.ts'
import { encryptWecom, wecomSignature, type WecomKeys } from './crypto.ts'
import { renderCard, type WecomTemplateCard } from './render.ts'

/** What greys out the buttons of a clicked card whose new state has none (≤ 10 characters). */
export const PASSIVE_REPLACED_LABEL = '已更新，见下条消息'

const cdata = (s: string) => `<![CDATA[${s.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`
const el = (name: string, inner: string) => `<${name}>${inner}</${name}>`

/** A rendered template card in the XML casing of passive replies. */
export function templateCardXml(tc: WecomTemplateCard): string {
  const parts = [el('CardType', cdata(tc.card_type))]
  parts.push(el('MainTitle', el('Title', cdata(tc.main_title.title)) + (tc.main_title.desc ? el('Desc', cdata(tc.main_title.desc)) : '')))
  if (tc.sub_title_text) parts.push(el('SubTitleText', cdata(tc.sub_title_text)))
  for (const f of tc.horizontal_content_list ?? [])
    parts.push(el('HorizontalContentList', el('KeyName', cdata(f.keyname)) + el('Value', cdata(f.value))))
  for (const b of tc.button_list) {
    const target = b.type === 1 ? el('Type', '1') + el('Url', cdata(b.url)) : el('Key', cdata(b.key))
    parts.push(el('ButtonList', el('Text', cdata(b.text)) + el('Style', String(b.style)) + target))
  }
  return el('TemplateCard', parts.join(''))
}

/**
 * The plaintext of the passive reply that shows `card` in place of the clicked one (see the module comment);
 * `formUrl` keeps a form's 填报 button opening its page.
 */
export function passiveCardXml(card: Card, o: { to: string; corpId: string; at: Date; taskId: string; formUrl?: string }): string {
  const tc = renderCard(card, o.taskId, o.formUrl ? { formUrl: o.formUrl } : {}).find((m) => m.msgtype === 'template_card')
  const head = el('ToUserName', cdata(o.to)) + el('FromUserName', cdata(o.corpId)) + el('CreateTime', String(Math.floor(o.at.getTime() / 1000)))
  const body = tc
    ? el('MsgType', cdata('update_template_card')) + templateCardXml(tc.template_card)
    : el('MsgType', cdata('update_button')) + el('Button', el('ReplaceName', cdata(PASSIVE_REPLACED_LABEL)))
  return el('xml', head + body)
}

/**
 * The encrypted response body (doc /91144): `<xml><Encrypt/><MsgSignature/><TimeStamp/><Nonce/></xml>`, the
 * plaintext encrypted with the corp id as receiveid, signed over the request's timestamp and nonce.
 */
export async function encryptedReply(
  plain: string,
  s: { token: string; keys: WecomKeys; corpId: string; timestamp: string; nonce: string },
): Promise<string> {
  const encrypt = await encryptWecom(s.keys, plain, s.corpId)
  const signature = wecomSignature(s.token, s.timestamp, s.nonce, encrypt)
  return el('xml', el('Encrypt', cdata(encrypt)) + el('MsgSignature', cdata(signature)) + el('TimeStamp', s.timestamp) + el('Nonce', cdata(s.nonce)))
}

/**
 * Neutral messages → WeCom bodies, and callbacks → neutral events: the template card a card with buttons or a
 * form becomes (keys carry `{cmd, …args}` back), markdown for the rest, byte limits, inert user text; the
 * flat XML reader and the dedupe keys.
 */
import { describe, expect, it } from 'vitest'
import type { Card } from '../../../src/model/index.ts'
import { FORM_HINT, clipBytes, inert, renderBody, renderCard, renderMarkdown, splitText, taskIdOf } from '../../../src/channels/wecom/render.ts'
import { buttonAction, parseFlatXml, parseJsonFields, selectedItems, toDelivery } from '../../../src/channels/wecom/events.ts'
import { WebhookPayloadError } from '../../../src/channels/feishu/events.ts'

const bytes = (s: string) => Buffer.byteLength(s)

const prompt: Card = {
  template: 'report-prompt',
  colour: 'blue',
  title: '2026年11月调度 · 城东污水处理厂提标改造工程（二期）配套管网建设项目',
  subtitle: '请于 11月30日 17:00 前填报',
  elements: [
    {
      kind: 'fields',
      fields: [
        { label: '项目编号', value: 'XM2026-001' },
        { label: '年度计划投资', value: '12000 万元' },
      ],
    },
    {
      kind: 'form',
      name: 'report',
      inputs: [
        { name: 'period', label: '本月完成投资（万元）', kind: 'number' },
        { name: 'ytd', label: '本年累计完成投资（万元）', kind: 'number', required: true, initial: '8600' },
        { name: 'progress', label: '形象进度', kind: 'text', initial: '主体封顶' },
      ],
      submit: { label: '提交', style: 'primary', command: 'submitReport', args: { projectId: 12, roundId: 3 } },
    },
    { kind: 'actions', buttons: [{ label: '查看本项目详情与历次调度', command: 'status', args: { projectId: 12 } }] },
  ],
}

describe('render', () => {
  it('a card with a form → button_interaction: fields and prefilled values, the hint, a 填报 button carrying the submit', () => {
    const [m, ...rest] = renderCard(prompt, 'dd_0123456789abcdef')
    expect(rest).toEqual([])
    expect(m!.msgtype).toBe('template_card')
    const tc = m!.msgtype === 'template_card' ? m!.template_card : undefined
    expect(tc!.card_type).toBe('button_interaction')
    expect(tc!.task_id).toBe('dd_0123456789abcdef')
    expect(Array.from(tc!.main_title.title).length).toBeLessThanOrEqual(36)
    expect(tc!.main_title.title.endsWith('…')).toBe(true)
    expect(tc!.horizontal_content_list).toEqual([
      { keyname: '项目编号', value: 'XM2026-001' },
      { keyname: '年度计划投资', value: '12000 万元' },
      { keyname: '本年累计完成投资', value: '8600' },
      { keyname: '形象进度', value: '主体封顶' },
    ])
    expect(tc!.sub_title_text).toBe(FORM_HINT)
    expect(tc!.button_list.map((b) => b.text)).toEqual(['填报', '查看本项目详情与历…'])
    expect(buttonAction((tc!.button_list[0] as { key: string }).key)).toEqual({ command: 'submitReport', args: { projectId: 12, roundId: 3 } })
    expect(buttonAction((tc!.button_list[1] as { key: string }).key)).toEqual({ command: 'status', args: { projectId: 12 } })
    expect(tc!.button_list[0]!.style).toBe(1)
  })

  it('a card without buttons → markdown with a bold title, fields and table rows, cut to 2,048 bytes', () => {
    const board: Card = {
      template: 'board',
      colour: 'red',
      title: '11月赛马比拼',
      elements: [
        {
          kind: 'table',
          columns: [
            { key: 'rank', label: '名次' },
            { key: 'unit', label: '单位' },
          ],
          rows: Array.from({ length: 300 }, (_, i) => ({ rank: i + 1, unit: `第${i + 1}镇` })),
        },
        { kind: 'note', text: '注：得分按五项计' },
      ],
    }
    const [m] = renderCard(board, 't')
    expect(m!.msgtype).toBe('markdown')
    const content = m!.msgtype === 'markdown' ? m!.markdown.content : ''
    expect(content.startsWith('<font color="warning">**11月赛马比拼**</font>\n名次 | 单位\n1 | 第1镇')).toBe(true)
    expect(bytes(content)).toBeLessThanOrEqual(2048)
    expect(content.endsWith('…')).toBe(true)
  })

  it('a card with buttons and a table sends the table first as markdown', () => {
    const card: Card = {
      template: 'x',
      colour: 'blue',
      title: 'T',
      elements: [
        { kind: 'table', columns: [{ key: 'a', label: 'A' }], rows: [{ a: 1 }] },
        { kind: 'actions', buttons: [{ label: '排名', command: 'board' }] },
      ],
    }
    expect(renderCard(card, 't').map((m) => m.msgtype)).toEqual(['markdown', 'template_card'])
  })

  it('keeps user text inert: no links, tags or font colours of theirs', () => {
    const typed = '<a href="http://evil">点我</a> [登录](http://evil) <font color="warning">红</font>'
    const [m] = renderBody({ kind: 'text', text: typed }, 't')
    const content = m!.msgtype === 'text' ? m!.text.content : ''
    expect(content).not.toMatch(/[<>]/)
    expect(content).not.toContain('](')
    expect(inert('a<b>')).toBe('a＜b＞')
    const md = renderMarkdown({
      template: 'x',
      colour: 'blue',
      title: '<font color="info">x</font>',
      elements: [{ kind: 'markdown', text: '**加粗** [x](y)' }],
    })
    expect(md).toBe('**＜font color="info"＞x＜/font＞**\n**加粗** [x]\u200b(y)')
  })

  it('splits and cuts on character boundaries', () => {
    const long = '调度'.repeat(1000) // 6,000 bytes, no line ends
    const parts = splitText(long)
    expect(parts.every((p) => bytes(p) <= 2048)).toBe(true)
    expect(parts.join('')).toBe(long)
    expect(bytes(clipBytes(long, 2048))).toBeLessThanOrEqual(2048)
    expect(clipBytes('短', 2048)).toBe('短')
    expect(taskIdOf('in:wecom:msg:1:0')).toBe('in_wecom_msg_1_0')
    const [mention] = renderBody({ kind: 'text', text: '请尽快填报', mentions: [{ personId: 1, name: '张三' }] }, 't')
    expect(mention).toEqual({ msgtype: 'text', text: { content: '@张三 请尽快填报' } })
  })
})

describe('callbacks → events', () => {
  it('reads flat XML with CDATA, bare values, entities and a nested block', () => {
    const xml = `<?xml version="1.0"?><xml><A><![CDATA[x]]></A><B>1 &lt; 2 &amp; &#x4e2d;</B><C/><SelectedItems><SelectedItem><QuestionKey><![CDATA[q1]]></QuestionKey><OptionIds><OptionId><![CDATA[o1]]></OptionId><OptionId>o2</OptionId></OptionIds></SelectedItem></SelectedItems></xml>`
    const f = parseFlatXml(xml)
    expect(f.A).toBe('x')
    expect(f.B).toBe('1 < 2 & 中')
    expect(f.C).toBe('')
    expect(selectedItems(f.SelectedItems)).toEqual({ q1: ['o1', 'o2'] })
    expect(() => parseFlatXml('<root/>')).toThrow(WebhookPayloadError)
    expect(() => parseFlatXml('<xml><A><![CDATA[x</A></xml>')).toThrow(WebhookPayloadError)
    expect(parseJsonFields('{"MsgId":4561255354251345929,"AgentID": 218}')).toEqual({ MsgId: '4561255354251345929', AgentID: '218' })
  })

  it('text, a click and enter_agent become events with their dedupe keys; others are ignored', () => {
    const at = new Date('2026-11-26T02:00:00Z')
    const text = toDelivery({ FromUserName: 'zs', CreateTime: '1795658400', MsgType: 'text', Content: '  查   城关镇 ', MsgId: '123' }, at)
    expect(text).toMatchObject({
      dedupeKey: 'msg:123',
      event: { type: 'text', text: '查 城关镇', chat: { chatId: 'zs', kind: 'direct' }, messageId: '123' },
    })
    const click = toDelivery(
      {
        FromUserName: 'zs',
        CreateTime: '1795658400',
        MsgType: 'event',
        Event: 'template_card_event',
        EventKey: '{"cmd":"board","scope":"乡镇"}',
        TaskId: 'dd_1',
      },
      at,
    )
    expect(click).toMatchObject({
      dedupeKey: 'ev:zs:1795658400:template_card_event:dd_1',
      event: { type: 'card_action', command: 'board', args: { scope: '乡镇' }, messageId: 'dd_1' },
    })
    const enter = toDelivery({ FromUserName: 'zs', CreateTime: '1795658400', MsgType: 'event', Event: 'enter_agent' }, at)
    expect(enter).toMatchObject({ dedupeKey: 'enter:zs:2026-11-26', event: { type: 'first_contact' } })
    expect(toDelivery({ FromUserName: 'zs', CreateTime: '1', MsgType: 'image', MsgId: '9' }, at)).toMatchObject({ dedupeKey: 'msg:9', event: null })
    expect(toDelivery({ FromUserName: 'zs', CreateTime: '1', MsgType: 'event', Event: 'LOCATION' }, at).event).toBeNull()
    expect(buttonAction('{"cmd":"Bad Name"}')).toBeUndefined()
    expect(() => toDelivery({ MsgType: 'text' }, at)).toThrow(WebhookPayloadError)
  })
})

/**
 * Neutral cards → Feishu card JSON 2.0, and the 2.0 rule checker.
 */
import { describe, expect, it } from 'vitest'
import type { Card, CardElement } from '../../../src/model/index.ts'
import { CARD_MAX_BYTES, cardCallbackResponse, escapeMd, renderBody, renderCard, validateCard } from '../../../src/channels/feishu/render.ts'
import { md } from '../../../src/cards/text.ts'

type Json = Record<string, any>

const people = new Map([
  [1, 'ou_zhang'],
  [2, 'ou_li'],
])
const opts = { resolveMention: (id: number) => people.get(id) }

const everyKind: CardElement[] = [
  { kind: 'markdown', text: '**城南污水厂** 进度滞后' },
  {
    kind: 'fields',
    fields: [
      { label: '责任单位', value: '县住建局' },
      { label: '计划', value: '12月*完工*' },
    ],
  },
  { kind: 'divider' },
  {
    kind: 'table',
    columns: [
      { key: 'rank', label: '排名', numeric: true },
      { key: 'unit', label: '单位' },
      { key: 'score', label: '得分', numeric: true },
    ],
    rows: [
      { rank: 1, unit: '县住建局', score: 96.5 },
      { rank: 2, unit: '县交通局', score: '88' },
    ],
  },
  {
    kind: 'chart',
    title: '本月得分',
    unit: '分',
    bars: [
      { label: '住建', value: 96.5 },
      { label: '交通', value: 88 },
    ],
  },
  {
    kind: 'actions',
    buttons: [
      { label: '收到', style: 'primary', command: 'ack', args: { taskId: 9 } },
      { label: '查看问题', command: 'problems' },
    ],
  },
  {
    kind: 'mentions',
    people: [
      { personId: 1, name: '张三' },
      { personId: 3, name: '王*五' },
    ],
    text: '请今日 17:00 前填报',
  },
  { kind: 'note', text: '数据截至 11月20日\n调度助手' },
  {
    kind: 'form',
    name: 'report',
    inputs: [
      { name: 'progress', label: '完成比例', kind: 'number', placeholder: '0–100', required: true },
      { name: 'detail', label: '进展说明', kind: 'multiline', initial: '已完成主体' },
      { name: 'title', label: '标题', kind: 'text' },
      {
        name: 'status',
        label: '状态',
        kind: 'select',
        options: [
          { value: 'ok', label: '正常' },
          { value: 'late', label: '滞后' },
        ],
        initial: 'ok',
      },
      { name: 'due', label: '预计完成', kind: 'date', initial: '2026-12-31' },
    ],
    submit: { label: '提交', style: 'primary', command: 'submitReport', args: { projectId: 7 } },
  },
]

const card: Card = { template: 'report', colour: 'orange', title: '每周填报', subtitle: '第47周', elements: everyKind }

const elements = (c: Json) => c.body.elements as Json[]

describe('renderCard', () => {
  const json = renderCard(card, opts) as Json

  it('fills the 2.0 envelope from cards/feishu/envelope.json', () => {
    expect(json.schema).toBe('2.0')
    expect(json.config).toEqual({ update_multi: true, width_mode: 'fill' })
    expect(json.header).toEqual({
      template: 'orange',
      title: { tag: 'plain_text', content: '每周填报' },
      subtitle: { tag: 'plain_text', content: '第47周' },
    })
  })

  it('renders every element kind into a card that passes validateCard', () => {
    expect(validateCard(json)).toEqual([])
    expect(elements(json).map((e) => e.tag)).toEqual(['markdown', 'markdown', 'hr', 'table', 'chart', 'column_set', 'markdown', 'markdown', 'form'])
  })

  it('markdown passes through; fields escape their text', () => {
    const [md, fields] = elements(json)
    expect(md).toEqual({ tag: 'markdown', content: '**城南污水厂** 进度滞后' })
    expect(fields!.content).toBe('**责任单位**：县住建局\n**计划**：12月&#42;完工&#42;')
  })

  it('table: typed columns, numbers as numbers, page_size within 1–10', () => {
    const table = elements(json)[3]!
    expect(table.columns).toEqual([
      { name: 'rank', display_name: '排名', data_type: 'number', horizontal_align: 'right' },
      { name: 'unit', display_name: '单位', data_type: 'text' },
      { name: 'score', display_name: '得分', data_type: 'number', horizontal_align: 'right' },
    ])
    expect(table.rows).toEqual([
      { rank: 1, unit: '县住建局', score: 96.5 },
      { rank: 2, unit: '县交通局', score: 88 },
    ])
    expect(table.page_size).toBe(2)
    const big = renderCard({
      ...card,
      elements: [{ kind: 'table', columns: [{ key: 'a', label: 'A' }], rows: Array.from({ length: 30 }, (_, i) => ({ a: i })) }],
    }) as Json
    expect(elements(big)[0]!.page_size).toBe(10)
    expect(elements(big)[0]!.rows[3]).toEqual({ a: '3' })
  })

  it('a numeric column with a non-number falls back to text', () => {
    const c = renderCard({
      ...card,
      elements: [{ kind: 'table', columns: [{ key: 'v', label: 'V', numeric: true }], rows: [{ v: 1 }, { v: '—' }] }],
    }) as Json
    expect(elements(c)[0]!.columns[0].data_type).toBe('text')
    expect(validateCard(c)).toEqual([])
  })

  it('chart: a VChart bar spec with plain data, no functions', () => {
    const chart = elements(json)[4]!
    expect(chart).toMatchObject({ tag: 'chart', aspect_ratio: '16:9', color_theme: 'brand' })
    expect(chart.chart_spec).toMatchObject({
      type: 'bar',
      xField: 'label',
      yField: 'value',
      data: {
        values: [
          { label: '住建', value: 96.5 },
          { label: '交通', value: 88 },
        ],
      },
      title: { visible: true, text: '本月得分（单位：分）' },
    })
    expect(JSON.stringify(chart)).toBe(JSON.stringify(JSON.parse(JSON.stringify(chart))))
  })

  it('chart with many bars turns horizontal and grows in height', () => {
    const bars = Array.from({ length: 20 }, (_, i) => ({ label: `单位${i}`, value: i }))
    const c = renderCard({ ...card, elements: [{ kind: 'chart', bars }] }) as Json
    const chart = elements(c)[0]!
    expect(chart.chart_spec).toMatchObject({ direction: 'horizontal', xField: 'value', yField: 'label' })
    expect(chart.height).toBe('640px')
    expect(chart).not.toHaveProperty('aspect_ratio')
    expect(validateCard(c)).toEqual([])
  })

  it('actions: buttons side by side in a column_set, each calling back {cmd, ...args}', () => {
    const set = elements(json)[5]!
    expect(set.tag).toBe('column_set')
    const buttons = set.columns.map((c: Json) => c.elements[0])
    expect(buttons).toEqual([
      {
        tag: 'button',
        name: 'btn_1',
        type: 'primary',
        text: { tag: 'plain_text', content: '收到' },
        behaviors: [{ type: 'callback', value: { taskId: 9, cmd: 'ack' } }],
      },
      {
        tag: 'button',
        name: 'btn_2',
        type: 'default',
        text: { tag: 'plain_text', content: '查看问题' },
        behaviors: [{ type: 'callback', value: { cmd: 'problems' } }],
      },
    ])
  })

  it('mentions: <at id=…> for known people, escaped @name for the others', () => {
    expect(elements(json)[6]!.content).toBe('<at id=ou_zhang></at> @王&#42;五 请今日 17:00 前填报')
  })

  it('note: grey, small', () => {
    expect(elements(json)[7]).toEqual({
      tag: 'markdown',
      text_size: 'notation',
      content: "<font color='grey'>数据截至 11月20日</font>\n<font color='grey'>调度助手</font>",
    })
  })

  it('form: root-level, uniquely named inputs, a submit button with the command', () => {
    const form = elements(json)[8]!
    expect(form.tag).toBe('form')
    expect(form.name).toBe('report')
    const inputs = (form.elements as Json[]).filter((e) => e.tag !== 'markdown')
    expect(inputs.map((e) => [e.tag, e.name])).toEqual([
      ['input', 'progress'],
      ['input', 'detail'],
      ['input', 'title'],
      ['select_static', 'status'],
      ['date_picker', 'due'],
      ['button', 'report_submit'],
    ])
    expect(inputs[0]).toMatchObject({ required: true, placeholder: { tag: 'plain_text', content: '0–100' } })
    expect(inputs[1]).toMatchObject({ input_type: 'multiline_text', default_value: '已完成主体' })
    expect(inputs[3]).toMatchObject({
      options: [
        { text: { tag: 'plain_text', content: '正常' }, value: 'ok' },
        { text: { tag: 'plain_text', content: '滞后' }, value: 'late' },
      ],
      initial_option: 'ok',
    })
    expect(inputs[4]).toMatchObject({ initial_date: '2026-12-31' })
    expect(inputs[5]).toMatchObject({
      form_action_type: 'submit',
      type: 'primary',
      behaviors: [{ type: 'callback', value: { projectId: 7, cmd: 'submitReport' } }],
    })
    expect(form.elements[0]).toEqual({ tag: 'markdown', content: "**完成比例** <font color='red'>*</font>" })
  })

  it('does not share state between renders (the envelope data is cloned)', () => {
    const a = renderCard({ template: 't', colour: 'red', title: 'A', elements: [{ kind: 'divider' }] }) as Json
    const b = renderCard({ template: 't', colour: 'blue', title: 'B', elements: [] }) as Json
    expect(a.header.title.content).toBe('A')
    expect(b.header.title.content).toBe('B')
    expect(b.body.elements).toEqual([])
    expect(b.header).not.toHaveProperty('subtitle')
  })
})

describe('renderBody', () => {
  it('text → msg_type text with <at user_id> mentions in front', () => {
    const out = renderBody(
      {
        kind: 'text',
        text: '请及时填报',
        mentions: [
          { personId: 1, name: '张三' },
          { personId: 9, name: '赵六' },
        ],
      },
      opts,
    )
    expect(out.msg_type).toBe('text')
    expect(JSON.parse(out.content)).toEqual({ text: '<at user_id="ou_zhang">张三</at> @赵六 请及时填报' })
    expect(JSON.parse(renderBody({ kind: 'text', text: 'hi' }).content)).toEqual({ text: 'hi' })
  })

  it('card → msg_type interactive with the card JSON as a string', () => {
    const out = renderBody({ kind: 'card', card }, opts)
    expect(out.msg_type).toBe('interactive')
    expect(JSON.parse(out.content)).toEqual(renderCard(card, opts))
  })
})

describe('cardCallbackResponse', () => {
  it('turns a BotResult into {toast, card:{type:"raw"}}', () => {
    expect(cardCallbackResponse({})).toEqual({})
    const r = cardCallbackResponse({ toast: { kind: 'success', text: '已确认' }, updateCard: card }, opts)
    expect(r).toEqual({ toast: { type: 'success', content: '已确认' }, card: { type: 'raw', data: renderCard(card, opts) } })
  })
})

describe('escapeMd', () => {
  it('escapes markdown and tag characters as numeric entities', () => {
    expect(escapeMd('<at id=all></at> *x* [a](b) ~s~ `c` &')).toBe(
      '&#60;at id=all&#62;&#60;/at&#62; &#42;x&#42; &#91;a&#93;(b) &#126;s&#126; &#96;c&#96; &#38;',
    )
  })
})

describe('validateCard', () => {
  const base = () => ({
    schema: '2.0',
    config: { update_multi: true },
    header: { title: { tag: 'plain_text', content: 't' } },
    body: { elements: [] as Json[] },
  })
  const submit = (name = 'ok') => ({
    tag: 'button',
    name,
    form_action_type: 'submit',
    text: { tag: 'plain_text', content: '提交' },
    behaviors: [{ type: 'callback', value: { cmd: 'x' } }],
  })
  const form = (name: string, elements: Json[]) => ({ tag: 'form', name, elements })
  const with_ = (elements: Json[]) => ({ ...base(), body: { elements } })
  const table = (extra: Json = {}) => ({ tag: 'table', columns: [], rows: [], ...extra })
  const chart = () => ({ tag: 'chart', chart_spec: { type: 'bar' } })

  const cases: [string, unknown, RegExp][] = [
    ['not an object', 'card', /not a JSON object/],
    ['schema 1.0', { ...base(), schema: '1.0' }, /schema must be "2.0"/],
    ['update_multi false', { ...base(), config: { update_multi: false } }, /update_multi/],
    ['no body.elements', { schema: '2.0' }, /body.elements must be an array/],
    ['two forms', with_([form('a', [submit('s1')]), form('b', [submit('s2')])]), /one form, found 2/],
    [
      'a form inside a column_set',
      with_([{ tag: 'column_set', columns: [{ tag: 'column', elements: [form('a', [submit()])] }] }]),
      /form must be at the root/,
    ],
    ['a table in a form', with_([form('a', [table(), submit()])]), /form cannot contain a table/],
    ['a chart in a form', with_([form('a', [chart(), submit()])]), /form cannot contain a chart/],
    ['a form in a form', with_([form('a', [form('b', [submit('s2')]), submit()])]), /form cannot contain a form/],
    ['an unnamed input in a form', with_([form('a', [{ tag: 'input' }, submit()])]), /input inside a form needs a name/],
    [
      'a duplicate name',
      with_([form('a', [{ tag: 'input', name: 'x' }, { tag: 'select_static', name: 'x', options: [] }, submit()])]),
      /name "x" is already used/,
    ],
    ['a form without submit', with_([form('a', [{ tag: 'input', name: 'x' }])]), /needs a button with form_action_type "submit"/],
    ['six charts', with_(Array.from({ length: 6 }, chart)), /at most 5 charts, found 6/],
    ['six tables', with_(Array.from({ length: 6 }, () => table())), /at most 5 tables, found 6/],
    ['page_size 0', with_([table({ page_size: 0 })]), /page_size must be an integer 1–10/],
    ['page_size 11', with_([table({ page_size: 11 })]), /page_size must be an integer 1–10/],
    ['a nested table', with_([{ tag: 'column_set', columns: [{ tag: 'column', elements: [table()] }] }]), /table must be at the root/],
    [
      'a string in a number column',
      with_([table({ columns: [{ name: 'n', display_name: 'N', data_type: 'number' }], rows: [{ n: '1' }] })]),
      /number column needs a number/,
    ],
    ['over 30 KB', with_([{ tag: 'markdown', content: '字'.repeat(11_000) }]), /over the 30 KB limit/],
    ['element_id too long', with_([{ tag: 'hr', element_id: 'a'.repeat(21) }]), /element_id must be/],
    ['element_id starting with a digit', with_([{ tag: 'hr', element_id: '1abc' }]), /element_id must be/],
    [
      'duplicate element_id',
      with_([
        { tag: 'hr', element_id: 'a1' },
        { tag: 'hr', element_id: 'a1' },
      ]),
      /element_id "a1" is already used/,
    ],
    [
      'a string callback value',
      with_([{ tag: 'button', text: { tag: 'plain_text', content: 'x' }, behaviors: [{ type: 'callback', value: 'ack' }] }]),
      /callback value must be an object/,
    ],
  ]

  it.each(cases)('reports %s', (_, json, problem) => {
    const problems = validateCard(json)
    expect(
      problems.some((p) => problem.test(p)),
      problems.join('\n'),
    ).toBe(true)
  })

  it('accepts a 20-char element_id and exactly 5 charts and 5 tables, and a card just under 30 KB', () => {
    const ok = with_([
      { tag: 'hr', element_id: 'a'.repeat(20) },
      ...Array.from({ length: 5 }, chart),
      ...Array.from({ length: 5 }, () => table({ page_size: 10 })),
    ])
    expect(validateCard(ok)).toEqual([])
    const pad = CARD_MAX_BYTES - JSON.stringify(with_([{ tag: 'markdown', content: '' }])).length
    expect(validateCard(with_([{ tag: 'markdown', content: 'a'.repeat(pad) }]))).toEqual([])
    expect(validateCard(with_([{ tag: 'markdown', content: 'a'.repeat(pad + 1) }]))).toHaveLength(1)
  })

  it('reports each problem of a card that breaks several rules', () => {
    const bad = {
      schema: '1.0',
      body: { elements: [form('a', [table({ page_size: 20 }), { tag: 'input' }]), form('b', [submit()])] },
    }
    expect(validateCard(bad).length).toBeGreaterThanOrEqual(5)
  })
})

describe('user text reaches Feishu inert (issue 11)', () => {
  // Cards put user text into neutral markdown through md`…` (src/cards/text.ts), which breaks a typed ** so only
  // our own bold is bold; the renderer escapes everything else whoever put it there.
  const hostile =
    '<at user_id="all">所有人</at> <at id=all></at> [点我](https://evil.example) <a href="https://evil.example">x</a> **粗** ~~删~~ `c` # h _i_ <font color=red>红</font>'
  const interpreted = /<at\b|<a\s|<font|\]\(https?:|\*\*粗\*\*|~~删~~/

  it('a text message: tags, links and emphasis are shown, not interpreted; our own mentions still work', () => {
    const out = JSON.parse(
      renderBody({ kind: 'text', text: `没有看懂「${hostile}」`, mentions: [{ personId: 1, name: '<at user_id="all"></at>' }] }, opts).content,
    ).text as string
    expect(out.startsWith('<at user_id="ou_zhang">＜at user_id="all"＞＜/at＞</at> 没有看懂「＜at user_id="all"＞所有人＜/at＞')).toBe(true)
    expect(out.replace(/^<at user_id="ou_zhang">.*?<\/at>/, '')).not.toMatch(interpreted)
    expect(out.replace(/\u200b/g, '')).toContain('[点我](https://evil.example)') // readable as typed
  })

  it('markdown: our **bold** stays, everything else is escaped, inside the bold too', () => {
    const [el] = (
      renderCard({
        template: 't',
        colour: 'blue',
        title: 't',
        elements: [{ kind: 'markdown', text: `${md`**督办事项**：${hostile}`}\n**<at id=all>**` }],
      }).body as Json
    ).elements as Json[]
    expect(el!.content.startsWith('**督办事项**：&#60;at user&#95;id="all"&#62;')).toBe(true)
    expect(el!.content).toContain('**&#60;at id=all&#62;**')
    expect(el!.content).not.toMatch(interpreted)
  })

  it('fields, notes and mention texts: the same', () => {
    const json = renderCard(
      {
        template: 't',
        colour: 'blue',
        title: hostile,
        subtitle: hostile,
        elements: [
          { kind: 'fields', fields: [{ label: hostile, value: hostile }] },
          { kind: 'note', text: md`${hostile}` },
          { kind: 'mentions', people: [{ personId: 9, name: hostile }], text: md`${hostile}` },
        ],
      },
      opts,
    ) as Json
    // the grey <font> of a note is ours (cards/feishu/envelope.json); nothing else may be read as markup
    for (const el of elements(json)) expect(String(el.content).replace(/<font color='grey'>|<\/font>/g, '')).not.toMatch(interpreted)
    expect(json.header.title).toEqual({ tag: 'plain_text', content: hostile }) // plain_text: never read as markup
  })

  it('raw neutral markdown keeps only bold: links, tags and mentions are escaped even without md`…`', () => {
    const [el] = (renderCard({ template: 't', colour: 'blue', title: 't', elements: [{ kind: 'markdown', text: hostile }] }).body as Json)
      .elements as Json[]
    expect(el!.content).not.toMatch(/<at\b|<a\s|<font|\]\(https?:|~~删~~/)
  })

  it('escapeMd also covers # _ | and backslash', () => {
    expect(escapeMd('# a_b|c\\')).toBe('&#35; a&#95;b&#124;c&#92;')
  })
})

import { describe, expect, it } from 'vitest'
import type { Card } from '../../../src/model/index.ts'
import { escapeHtml, renderBody, renderCard, renderMarkdown } from '../../../src/channels/local/render.ts'

const card = (elements: Card['elements'], extra: Partial<Card> = {}): Card => ({
  template: 't',
  colour: 'red',
  title: '标题',
  elements,
  ...extra,
})

describe('local card renderer', () => {
  it('escapes everything that came from data', () => {
    const html = renderCard(
      card(
        [
          { kind: 'markdown', text: '<img src=x onerror=alert(1)> **粗体**' },
          { kind: 'fields', fields: [{ label: '<b>', value: '"引号"' }] },
          { kind: 'table', columns: [{ key: 'a', label: '<th>' }], rows: [{ a: '<td>' }] },
          { kind: 'actions', buttons: [{ label: '<按钮>', command: 'query', args: { q: `"'><script>` } }] },
          { kind: 'mentions', people: [{ personId: 1, name: '<张三>' }] },
          { kind: 'note', text: '<i>备注</i>' },
        ],
        { title: '<script>alert(1)</script>', subtitle: "it's", template: '"x' },
      ),
    )
    expect(html).not.toMatch(/<script|<img|<b>|<i>|<张三>|<按钮>/)
    expect(html).toContain('<th>&lt;th&gt;</th>')
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
    expect(html).toContain('it&#39;s')
    expect(html).toContain('<strong>粗体</strong>')
    expect(html).toContain('data-args="{&quot;q&quot;:&quot;\\&quot;&#39;&gt;&lt;script&gt;&quot;}"')
    expect(escapeHtml(`<&>"'`)).toBe('&lt;&amp;&gt;&quot;&#39;')
  })

  it('supports bold and line breaks only', () => {
    expect(renderMarkdown('**填报**：发送「填报」\n第二行 *斜体* [链接](http://x)')).toBe(
      '<strong>填报</strong>：发送「填报」<br>第二行 *斜体* [链接](http://x)',
    )
  })

  it('gives the header the card colour and shows title and subtitle', () => {
    const html = renderCard(card([], { colour: 'yellow', title: '黄牌', subtitle: '2026年10月' }))
    expect(html).toMatch(/class="card-head" style="background:#f5c400;color:#3b2f00"/)
    expect(html).toContain('<div class="card-title">黄牌</div>')
    expect(html).toContain('<div class="card-subtitle">2026年10月</div>')
  })

  it('lays fields out as label and value pairs and tables with numeric columns', () => {
    const html = renderCard(
      card([
        {
          kind: 'fields',
          fields: [
            { label: '完成率', value: '85%' },
            { label: '序时', value: '83.3%' },
          ],
        },
        { kind: 'divider' },
        {
          kind: 'table',
          columns: [
            { key: 'unit', label: '单位' },
            { key: 'score', label: '得分', numeric: true },
          ],
          rows: [{ unit: '城关镇', score: 98.5 }],
        },
        { kind: 'table', columns: [{ key: 'x', label: 'x' }], rows: [] },
      ]),
    )
    expect(html).toContain('<dt>完成率</dt><dd>85%</dd>')
    expect(html).toContain('<hr class="card-divider">')
    expect(html).toContain('<th class="num">得分</th>')
    expect(html).toContain('<td>城关镇</td><td class="num">98.5</td>')
    expect(html).toContain('（无数据）')
  })

  it('draws a chart as bars scaled to the largest value, each with its value', () => {
    const html = renderCard(
      card([
        {
          kind: 'chart',
          title: '完成率',
          unit: '%',
          bars: [
            { label: '城关镇', value: 120 },
            { label: '河西镇', value: 60 },
            { label: '空', value: 0 },
            { label: '负', value: -30.456 },
          ],
        },
      ]),
    )
    expect(html).toContain('<div class="chart-title">完成率</div>')
    expect(html).toMatch(
      /城关镇<\/span><span class="chart-track"><span class="chart-bar" style="width:100%"><\/span><\/span><span class="chart-value">120%/,
    )
    expect(html).toContain('style="width:50%"')
    expect(html).toContain('style="width:0%"')
    expect(html).toContain('<span class="chart-bar neg" style="width:25.4%"></span></span><span class="chart-value">-30.46%')
  })

  it('renders forms with every input kind and a submit button carrying the command', () => {
    const html = renderCard(
      card([
        {
          kind: 'form',
          name: 'report',
          inputs: [
            { name: 'ytd', label: '本年累计（万元）', kind: 'number', required: true, initial: '8600' },
            { name: 'progress', label: '形象进度', kind: 'multiline', placeholder: '例如：主体封顶', initial: 'a<b' },
            { name: 'name', label: '名称', kind: 'text' },
            { name: 'due', label: '期限', kind: 'date', initial: '2026-11-30' },
            {
              name: 'status',
              label: '开工状态',
              kind: 'select',
              options: [
                { value: 'started', label: '已开工' },
                { value: 'not', label: '未开工' },
              ],
            },
            {
              name: 'sev',
              label: '严重程度',
              kind: 'select',
              initial: 'major',
              options: [
                { value: 'ordinary', label: '一般' },
                { value: 'major', label: '重大' },
              ],
            },
          ],
          submit: { label: '提交', style: 'primary', command: 'submitReport', args: { projectId: 7, roundId: 3 } },
        },
      ]),
    )
    expect(html).toContain(
      '<form class="card-form" data-form="report" data-command="submitReport" data-args="{&quot;projectId&quot;:7,&quot;roundId&quot;:3}">',
    )
    expect(html).toContain('<input type="number" step="any" inputmode="decimal" name="ytd" value="8600" required>')
    expect(html).toContain('<span class="req" title="必填">*</span>')
    expect(html).toContain('<textarea name="progress" rows="3" placeholder="例如：主体封顶">a&lt;b</textarea>')
    expect(html).toContain('<input type="text" name="name">')
    expect(html).toContain('<input type="date" name="due" value="2026-11-30">')
    expect(html).toContain('<select name="status"><option value="">请选择</option><option value="started">已开工</option>')
    expect(html).toContain('<option value="major" selected>重大</option>')
    expect(html).toContain('<button type="submit" class="btn btn-primary">提交</button>')
  })

  it('renders action buttons with their command and mentions as chips', () => {
    const html = renderCard(
      card([
        {
          kind: 'actions',
          buttons: [
            { label: '本月排名', command: 'board', args: { scope: 'month' } },
            { label: '驳回', style: 'danger', command: 'reject' },
          ],
        },
        {
          kind: 'mentions',
          people: [
            { personId: 3, name: '王伟' },
            { personId: 4, name: '李娜' },
          ],
          text: '请尽快填报',
        },
      ]),
    )
    expect(html).toContain(
      '<button type="button" class="btn btn-default" data-command="board" data-args="{&quot;scope&quot;:&quot;month&quot;}">本月排名</button>',
    )
    expect(html).toContain('<button type="button" class="btn btn-danger" data-command="reject" data-args="{}">驳回</button>')
    expect(html).toContain(
      '<span class="mention" data-person="3">@王伟</span> <span class="mention" data-person="4">@李娜</span> <span>请尽快填报</span>',
    )
  })

  it('renders a text message with line breaks and its mentions', () => {
    expect(renderBody({ kind: 'text', text: '第一行\n<第二行>', mentions: [{ personId: 1, name: '张三' }] })).toBe(
      '<div class="msg-text">第一行<br>&lt;第二行&gt; <span class="mention" data-person="1">@张三</span></div>',
    )
  })
})

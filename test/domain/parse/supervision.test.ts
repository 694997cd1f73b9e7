/** How officials type the 督办 loop and 四级调度, and how a 复函's five 落实 are read from their labels. */
import { describe, expect, it } from 'vitest'
import { parseCommand } from '../../../src/domain/parse/index.ts'
import { readReply, readSeverity } from '../../../src/domain/supervision.ts'

describe('typed 督办 loop and 四级调度', () => {
  it.each([
    ['复函 D3 解决办法：协调供电', { command: 'replySupervision', args: { supervisionId: 3, text: '解决办法:协调供电' } }],
    ['复函D12 责任人：王五', { command: 'replySupervision', args: { supervisionId: 12, text: '责任人:王五' } }],
    ['督办复函 d7 解决办法:x', { command: 'replySupervision', args: { supervisionId: 7 } }],
    ['办结 D3', { command: 'closeSupervision', args: { supervisionId: 3 } }],
    ['办结D3。', { command: 'closeSupervision', args: { supervisionId: 3 } }],
    ['退回 D3 解决时限过长', { command: 'returnSupervision', args: { supervisionId: 3, reason: '解决时限过长' } }],
    ['退回 D3 理由：时限太长', { command: 'returnSupervision', args: { supervisionId: 3, reason: '时限太长' } }],
    ['退回 D3', { command: 'returnSupervision', args: { supervisionId: 3 } }],
    ['退回 #12 还是没电', { command: 'reject', args: { problemId: 12, note: '还是没电' } }],
    ['提级 #12 需分管领导协调', { command: 'raiseLevel', args: { problemId: 12, reason: '需分管领导协调' } }],
    ['提级 12 跨部门', { command: 'raiseLevel', args: { problemId: 12, reason: '跨部门' } }],
    ['我的调度清单', { command: 'dispatchList' }],
    ['请把我的调度清单发一下', null],
  ])('%s', (text, want) => {
    const got = parseCommand(text)
    if (want === null) return expect(got?.command).not.toBe('raiseLevel')
    expect(got).toMatchObject(want)
  })
})

describe('复函 fields', () => {
  it('reads the five by their labels in any order, either colon, and names the missing ones', () => {
    const r = readReply('责任人:王局长；解决时限：12月15日前 解决办法：先架临时线路，再报装 责任单位:县能源局 责任领导：李副县长')
    expect(r).toEqual({
      complete: true,
      fields: { plan: '先架临时线路，再报装', unit: '县能源局', leader: '李副县长', person: '王局长', deadline: '12月15日前' },
    })
    const part = readReply('解决方案：协调供电 完成时限：本月底')
    expect(part).toMatchObject({ complete: false, missing: ['责任单位', '责任领导', '责任人'] })
    // A form's inputs win over typed text; an empty input counts as missing.
    expect(readReply('', { plan: 'a', unit: 'b', leader: 'c', person: 'd', deadline: ' ' })).toMatchObject({ complete: false, missing: ['解决时限'] })
  })

  it('reads 一般 / 重大 from a 交办', () => {
    expect(readSeverity('县林业局 重大')).toEqual({ severity: 'major', rest: '县林业局' })
    expect(readSeverity('县林业局 一般问题')).toEqual({ severity: 'ordinary', rest: '县林业局' })
    expect(readSeverity('县重大项目办')).toEqual({ rest: '县重大项目办' })
  })
})

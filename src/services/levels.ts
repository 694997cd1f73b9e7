/**
 * Who holds each of the four 调度 levels (qinshui-2024 「四级调度」) for a project: the office (role office); the
 * 分管副县长 of the project's sector (role leader with that sector, else the project's 包联 leader); the 常务副县长
 * (role executive, else the title 常务副县长); the 县长 (role county_head, else the title 县长). The bot's 提级 and
 * 我的调度清单 and the clock's 通报 of an overdue problem ask the same question here.
 */
import type { DispatchLevel, Role } from '../store/schema.ts'

interface Holder {
  id: number
  title: string | null
  roles: unknown
  sectors: unknown
}

const has = (p: Holder, r: Role) => (p.roles as Role[]).includes(r)
export const isCountyHead = (p: Holder) => has(p, 'county_head') || p.title === '县长'
export const isExecutive = (p: Holder) => has(p, 'executive') || p.title === '常务副县长'
/** A 分管副县长: a leader who is neither the 县长 nor the 常务副县长. */
export const isVice = (p: Holder) => has(p, 'leader') && !isCountyHead(p) && !isExecutive(p)

/** The people who work problems of this project at this level. */
export function levelHolders<P extends Holder>(everyone: P[], level: DispatchLevel, project: { sector: string; leaderPersonId: number | null }): P[] {
  switch (level) {
    case 'office':
      return everyone.filter((p) => has(p, 'office'))
    case 'vice': {
      const inSector = everyone.filter((p) => isVice(p) && (p.sectors as string[]).includes(project.sector))
      return inSector.length ? inSector : everyone.filter((p) => p.id === project.leaderPersonId)
    }
    case 'executive': {
      const byRole = everyone.filter((p) => has(p, 'executive'))
      return byRole.length ? byRole : everyone.filter((p) => p.title === '常务副县长')
    }
    case 'county': {
      const byRole = everyone.filter((p) => has(p, 'county_head'))
      return byRole.length ? byRole : everyone.filter((p) => p.title === '县长')
    }
  }
}

/** The two counties of the Workers suite, shared by the Node side (global-setup.ts, project.ts) and the tests in workerd. */
import { shanghaiTime } from '../../src/domain/time.ts'
import { A } from '../channels/wecom/vectors.ts'

/** The demo county as the office would have it a few days before the November round. */
export const LOADED = shanghaiTime(2026, 11, 22, 10)
/** The counties' clocks (DIAODU_NOW) start at the round's opening minute. */
export const OPENS = shanghaiTime(2026, 11, 25, 9, 1)

export interface SuiteCounty {
  id: 'one' | 'two'
  name: string
  appId: string
  appSecret: string
  encryptKey: string
  verificationToken: string
  /** County two also has a WeCom 自建应用 (vector A's corp, token and EncodingAESKey, agent 218). */
  wecom: boolean
}

export const COUNTIES: SuiteCounty[] = [
  { id: 'one', name: '甲县', appId: 'cli_one', appSecret: 'secret-one', encryptKey: 'ek-one', verificationToken: 'vt-one', wecom: false },
  { id: 'two', name: '乙县', appId: 'cli_two', appSecret: 'secret-two', encryptKey: 'ek-two', verificationToken: 'vt-two', wecom: true },
]

export const WECOM_APP = { corpId: A.corpId, agentId: 218, token: A.token, aesKey: A.aesKey, secret: 'wecom-secret-two' }

export interface SeedStatement {
  sql: string
  params: unknown[]
}

export interface Fakes {
  control: string
  feishu: Record<string, string>
  wecom: string
}

/** Each county's secret (`wrangler secret put COUNTY_<ID>`), pointing at its fakes. */
export function countySecret(c: SuiteCounty, fakes: Fakes): string {
  return JSON.stringify({
    FEISHU_APP_ID: c.appId,
    FEISHU_APP_SECRET: c.appSecret,
    FEISHU_ENCRYPT_KEY: c.encryptKey,
    FEISHU_VERIFICATION_TOKEN: c.verificationToken,
    FEISHU_DOMAIN: fakes.feishu[c.id],
    ...(c.wecom && {
      WECOM_CORP_ID: WECOM_APP.corpId,
      WECOM_AGENT_ID: String(WECOM_APP.agentId),
      WECOM_SECRET: WECOM_APP.secret,
      WECOM_TOKEN: WECOM_APP.token,
      WECOM_ENCODING_AES_KEY: WECOM_APP.aesKey,
      WECOM_API_BASE: fakes.wecom,
    }),
    DIAODU_NOW: OPENS.toISOString(),
  })
}

declare module 'vitest' {
  export interface ProvidedContext {
    fakes: Fakes
  }
}

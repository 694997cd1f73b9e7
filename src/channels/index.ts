/**
 * The channel registry: every chat platform the product speaks, in one list that the configuration, the
 * server, the CLI and the outbox consult. A channel is its own folder (verify + decode, render, send,
 * routes); here it says whether the environment turns it on and how to read back what it stored.
 */
import type { Db } from '../store/db.ts'
import type { Platform } from '../model/index.ts'
import type { Decoder } from '../intake/index.ts'
import { describeFeishu, feishuConfigProblems, feishuConfigured, feishuEnv, type FeishuEnv } from './feishu/config.ts'
import { feishuDecoder } from './feishu/routes.ts'
import { describeWecom, wecomConfigProblems, wecomConfigured, wecomEnv, type WecomEnv } from './wecom/config.ts'
import { wecomDecoder } from './wecom/routes.ts'
import { localDecoder } from './local/routes.ts'
import { webDecoder } from '../web/index.ts'
import { WEB_SOURCE } from '../bot/handle.ts'

/** The variables every channel reads, merged into the configuration schema. */
export const channelEnv = { ...feishuEnv, ...wecomEnv }
export type ChannelEnv = FeishuEnv & WecomEnv

export interface Channel {
  platform: Platform
  /** The platform's name for people. */
  label: string
  /** Whether the environment turns this channel on. */
  configured(env: ChannelEnv): boolean
  /** What is wrong with its variables (one line each, naming the variable). */
  problems(env: ChannelEnv): string[]
  /** Its variables as they may be logged (secrets as set / not set). */
  describe(env: ChannelEnv): Record<string, unknown>
  /** Stored payloads back into events (resume after a restart, `diaodu inbound --retry`). */
  decoder(db: Db): Decoder
}

export const CHANNELS: readonly Channel[] = [
  {
    platform: 'feishu',
    label: '飞书',
    configured: feishuConfigured,
    problems: feishuConfigProblems,
    describe: describeFeishu,
    decoder: (db) => feishuDecoder(db),
  },
  {
    platform: 'wecom',
    label: '企业微信',
    configured: wecomConfigured,
    problems: wecomConfigProblems,
    describe: describeWecom,
    decoder: () => wecomDecoder,
  },
  {
    platform: 'local',
    label: '本地',
    // The built-in channel: on when no chat platform is configured.
    configured: () => false,
    problems: () => [],
    describe: () => ({}),
    decoder: () => localDecoder,
  },
]

/** The platforms a configuration turns on: the configured chat platforms, or the local channel when none is. */
export function enabledPlatforms(env: ChannelEnv): Platform[] {
  const on = CHANNELS.filter((c) => c.configured(env)).map((c) => c.platform)
  return on.length ? on : ['local']
}

/**
 * Every channel's decoder of stored payloads, by platform, and the 挂图作战 pages' (their actions are stored
 * events too), so a start-up resume or `diaodu inbound --retry` finishes a page's action as it does a chat's.
 */
export function decoders(db: Db): Record<string, Decoder> {
  return { ...Object.fromEntries(CHANNELS.map((c) => [c.platform, c.decoder(db)])), [WEB_SOURCE]: webDecoder }
}

/** The Chinese name of a platform ('feishu' → 飞书). */
export const platformLabel = (platform: string) => CHANNELS.find((c) => c.platform === platform)?.label ?? platform

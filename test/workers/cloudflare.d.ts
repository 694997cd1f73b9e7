/** The little of the plugin's `cloudflare:test` and of `cloudflare:workers` the suite uses (@cloudflare/workers-types is not installed). */
declare module 'cloudflare:workers' {
  export const env: unknown
  export const exports: unknown
}
declare module 'cloudflare:test' {
  export interface D1Migration {
    name: string
    queries: string[]
  }
  export function applyD1Migrations(db: unknown, migrations: D1Migration[], table?: string): Promise<void>
  export function createExecutionContext(): { waitUntil(p: Promise<unknown>): void; passThroughOnException(): void }
  export function waitOnExecutionContext(ctx: unknown): Promise<void>
  export function createScheduledController(o?: { scheduledTime?: Date | number; cron?: string }): {
    scheduledTime: number
    cron: string
    noRetry(): void
  }
  export function createMessageBatch<Body = unknown>(
    queue: string,
    messages: { id: string; timestamp: Date | number; attempts: number; body: Body }[],
  ): { queue: string; messages: { id: string; body: Body; ack(): void; retry(o?: { delaySeconds?: number }): void }[] }
  export function getQueueResult(
    batch: unknown,
    ctx: unknown,
  ): Promise<{ outcome: string; ackAll: boolean; explicitAcks: string[]; retryMessages: { msgId: string; delaySeconds?: number }[] }>
  export function runInDurableObject<R>(
    stub: unknown,
    fn: (instance: unknown, state: { storage: { getAlarm(): Promise<number | null> } }) => R | Promise<R>,
  ): Promise<R>
  export function runDurableObjectAlarm(stub: unknown): Promise<boolean>
  export function reset(): Promise<void>
  export function abortAllDurableObjects(): Promise<void>
}

/**
 * The little of Cloudflare's runtime types this folder uses (the module is provided by workerd at run time; the
 * full @cloudflare/workers-types would also replace the DOM's Request/Response types the core is written against).
 */
declare module 'cloudflare:workers' {
  export interface DurableObjectStorage {
    get<T>(key: string): Promise<T | undefined>
    put(key: string, value: unknown): Promise<void>
    setAlarm(at: number | Date): Promise<void>
  }
  export interface DurableObjectState {
    storage: DurableObjectStorage
  }
  export abstract class DurableObject<Env = unknown> {
    protected ctx: DurableObjectState
    protected env: Env
    constructor(ctx: DurableObjectState, env: Env)
  }
}

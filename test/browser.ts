/**
 * Debian's Chromium for the browser suites, driven by playwright-core: whether it is installed (suites skip with a
 * reason where it is not) and a headless browser with its own profile (so its own cookies), removed on close.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type BrowserContext } from 'playwright-core'

export const CHROMIUM = '/usr/bin/chromium'
export const haveChromium = existsSync(CHROMIUM)

/** Says which suite is skipped and how to install Chromium, where it is absent. */
export function warnWithoutChromium(suite: string) {
  if (!haveChromium) console.warn(`skipping ${suite}: ${CHROMIUM} not found (apt-get install -y chromium fonts-noto-cjk)`)
}

/** Headless, offline (no updates, sync or QUIC), and able to run as root in a container. */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

export interface Chromium {
  context: BrowserContext
  /** Closes the browser and removes its profile. */
  close(): Promise<void>
}

/** A fresh Chromium at `viewport`, in Chinese, with its own profile under the system temp folder. */
export async function launchChromium(viewport: { width: number; height: number }, profilePrefix = 'diaodu-chromium-'): Promise<Chromium> {
  const profile = mkdtempSync(join(tmpdir(), profilePrefix))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport,
    locale: 'zh-CN',
    args: CHROMIUM_FLAGS,
  })
  return {
    context,
    close: async () => {
      await context.close()
      rmSync(profile, { recursive: true, force: true })
    },
  }
}

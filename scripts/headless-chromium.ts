/**
 * Debian's Chromium at /usr/bin/chromium (scripts/chromium.sh installs it), driven headless through
 * playwright-core the way the approval page's browser tests drive it: a fresh profile each time,
 * removed afterwards; no sandbox, no GPU, nothing fetched in the background. Pages reach nothing
 * but this machine: any request to another host is refused.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type BrowserContextOptions } from 'playwright-core';
import { isLoopbackUrl } from '../src/loopback';

export const CHROMIUM = '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]; // and --user-data-dir=<profile>, which Playwright passes itself

/** Runs `run` with a headless Chromium context (closed and its profile removed afterwards). */
export async function withHeadlessChromium<T>(options: BrowserContextOptions, run: (context: BrowserContext) => Promise<T>): Promise<T> {
  const profile = mkdtempSync(join(tmpdir(), 'invite-lite-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, ...options });
  try {
    await context.route('**/*', (route) => {
      const url = route.request().url();
      return /^(data|about|blob):/.test(url) || isLoopbackUrl(url) ? route.continue() : route.abort('blockedbyclient');
    });
    return await run(context);
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

/** Headless Debian chromium through playwright-core, as the dashboard's browser tests and benchmark use it. */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

/** Debian's chromium (apt-get install chromium); overridable for other machines. */
export const CHROMIUM = process.env.KUBESIM_CHROMIUM ?? '/usr/bin/chromium';

/** Launches headless chromium with the flags these machines need. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`no chromium at ${CHROMIUM}: apt-get install -y chromium (or set KUBESIM_CHROMIUM)`);
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage'] });
}

/** Folder for screenshots (kept after the run as test artifacts). */
export function artifactDir(name: string): string {
  const dir = join(process.env.KUBESIM_ARTIFACTS ?? join(process.cwd(), 'dist', 'test-artifacts'), name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { TEST_ADMIN } from './servers';

export const SCREENSHOT_DIR = path.resolve(import.meta.dirname, '../../../test-output/screenshots');

/** Debian's Chromium, signed in as the test admin (every page and context sends its token). */
export async function launchChromium(): Promise<Browser> {
  return asTestAdmin(await launchChromiumSignedOut());
}

/** Debian's Chromium, with the flags that keep it off the (closed) network, and no credentials. */
export async function launchChromiumSignedOut(): Promise<Browser> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

/** One Chromium for a test file: launched before its tests, closed after. */
export function useChromium(): () => Browser {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchChromiumSignedOut();
  });
  afterAll(async () => {
    await browser?.close();
  });
  return () => {
    if (!browser) throw new Error('Chromium is not running yet');
    return asTestAdmin(browser);
  };
}

/**
 * The browser with every new page and context sending the test admin's token, so feature tests
 * need no sign-in; the auth suite uses a plain context and signs in through the form.
 */
export function asTestAdmin(browser: Browser): Browser {
  const extraHTTPHeaders = { authorization: `Bearer ${TEST_ADMIN.token}` };
  return new Proxy(browser, {
    get(target, prop, receiver) {
      if (prop === 'newPage') return (options: Parameters<Browser['newPage']>[0] = {}) => target.newPage({ ...options, extraHTTPHeaders: { ...extraHTTPHeaders, ...options.extraHTTPHeaders } });
      if (prop === 'newContext') return (options: Parameters<Browser['newContext']>[0] = {}) => target.newContext({ ...options, extraHTTPHeaders: { ...extraHTTPHeaders, ...options.extraHTTPHeaders } });
      const value = Reflect.get(target, prop, receiver) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

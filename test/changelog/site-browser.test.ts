/**
 * The generated site in Debian's chromium (driven by playwright-core), served from 127.0.0.1:
 * entries and their order on the index and on a line page, an injected <script> that must not run,
 * and the pages on a phone in dark mode without JavaScript. Screenshots go to test-output/.
 */
import { mkdir, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateChangelog } from '../../tools/changelog/generate-changelog.js';
import { outputFormats } from '../../tools/changelog/render/render-outputs.js';
import { browserArgs, browserCandidates, findBrowser } from '../helpers/browser.js';
import { type ChangelogFixture, createChangelogFixture } from '../helpers/changelog-fixture.js';
import { createTempDir } from '../helpers/git-repo.js';
import { type StaticServer, serveFolder } from '../helpers/static-server.js';

const browser = findBrowser();
if (!browser)
  throw new Error(`no browser found: install one of ${browserCandidates.join(', ')} or set EMI_BROWSER`);
const chromiumPath = browser.path;
const chromiumArgs = browserArgs;
console.info(`the site tests use ${chromiumPath} (found as ${browser.via})`);
const screenshots = fileURLToPath(new URL('../../test-output/', import.meta.url));

let fixture: ChangelogFixture;
let site: string;
let server: StaticServer;
const profiles: string[] = [];
const contexts: BrowserContext[] = [];

async function openBrowser(options: Parameters<typeof chromium.launchPersistentContext>[1] = {}) {
  const profile = await createTempDir('emi-chromium-');
  profiles.push(profile);
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: chromiumArgs,
    ...options,
  });
  contexts.push(context);
  return context;
}

beforeAll(async () => {
  fixture = await createChangelogFixture();
  site = await createTempDir('emi-site-');
  await generateChangelog({ cwd: fixture.repo.dir, out: site, formats: new Set(outputFormats) });
  server = await serveFolder(site);
  await mkdir(screenshots, { recursive: true });
});

afterAll(async () => {
  for (const context of contexts) await context.close();
  await server?.close();
  for (const dir of [site, ...profiles]) if (dir) await rm(dir, { recursive: true, force: true });
  await fixture?.repo.cleanup();
});

describe('the changelog site in chromium', () => {
  it('lists the lines and recent releases in order, and a line page its entries newest first', async () => {
    const context = await openBrowser({ viewport: { width: 1200, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${server.url}index.html`);

    expect(await page.locator('h2').allTextContents()).toEqual([
      'Deprecated images (still offered, not recommended)',
      'Retired images (no longer offered)',
      'Recent releases',
    ]);
    expect(await page.locator('li.line h3').allInnerTexts()).toEqual([
      'euca-debian-emi x86_64 deprecated',
      'euca-debian32-emi i386 retired',
    ]);
    expect(await page.locator('li.line').first().locator('dd').allInnerTexts()).toEqual([
      '2024.02.10',
      '2024-02-10 09:00:00 UTC',
      'euca-debian-2024.02.10-x86_64.img',
    ]);
    expect(await page.locator('ol.recent > li').allInnerTexts()).toEqual([
      '2024-02-10 euca-debian-emi x86_64 2024.02.10: Debian 12.5 point release',
      '2024-02-01 euca-debian32-emi i386 2024.02.01: First Debian i386 image',
      '2024-01-15 euca-debian-emi x86_64 2024.01.15: First Debian image: bookworm 12.4',
    ]);
    await page.screenshot({ path: `${screenshots}changelog-index.png`, fullPage: true });

    await page.getByRole('link', { name: 'euca-debian-emi', exact: true }).click();
    await page.waitForURL(/lines\/euca-debian-emi\.x86_64\.html$/);
    expect(await page.locator('li.entry h2').allInnerTexts()).toEqual([
      '2024.02.10 deprecated',
      '2024.02.10 release',
      '2024.01.15 first release',
    ]);
    const first = page.locator('li.entry').last();
    expect(await first.locator('.notes').textContent()).toContain(
      '<script>window.__injected = true; document.title = "pwned";</script>',
    );
    expect(await first.locator('.author').textContent()).toBe('Zoë Ångström');
    expect(await page.locator('li.entry').nth(1).locator('ul.recipe-changes > li').count()).toBe(3);

    // The injected script and the img onerror handler did not run.
    expect(await page.evaluate('typeof window.__injected')).toBe('undefined');
    expect(await page.title()).toBe('euca-debian-emi x86_64: image changelog');
    expect(await page.locator('script, img').count()).toBe(0);
    expect(errors).toEqual([]);
    expect(
      server.requests.filter(
        (path) => !/^\/(index\.html|style\.css|lines\/[\w.-]+\.html|favicon\.ico)$/.test(path),
      ),
    ).toEqual([]);
  });

  it('reads on a phone in dark mode without JavaScript', async () => {
    const context = await openBrowser({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      colorScheme: 'dark',
      javaScriptEnabled: false,
    });
    const page = await context.newPage();
    await page.goto(`${server.url}lines/euca-debian-emi.x86_64.html`);
    expect(await page.locator('li.entry').count()).toBe(3);
    await page.locator('li.entry').nth(1).locator('details summary').click();
    expect(await page.locator('li.entry').nth(1).locator('ul.packages li').allInnerTexts()).toEqual([
      'openssh-server 1:9.2p1-2',
      'curl 7.88.1-10',
      'base-files 12.4 → 12.5',
      'libc6 2.36-9 → 2.36-8',
    ]);
    // Runs in the page (evaluate works with JavaScript off: it is the test's, not the page's).
    const layout = (await page.evaluate(`({
      background: getComputedStyle(document.body).backgroundColor,
      overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
    })`)) as { background: string; overflow: number };
    expect(layout.background).toBe('rgb(13, 17, 23)');
    expect(layout.overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: `${screenshots}changelog-line-phone-dark.png`, fullPage: true });
  });
});

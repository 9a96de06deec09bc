/**
 * The generated site in Debian's chromium (driven by playwright-core), served from 127.0.0.1:
 * entries and their order on the index and on a line page, an injected <script> that must not run,
 * and the pages on a phone in dark mode without JavaScript. Then the project's own catalog as the
 * Pages workflow renders it: the use-this-image box with each file's size, sha256 and release link,
 * no legacy line among the recent releases, the phone index's height, axe-core's default rules in
 * light and dark. Screenshots go to test-output/.
 */
import { mkdir, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateChangelog } from '../../tools/changelog/generate-changelog.js';
import { outputFormats } from '../../tools/changelog/render/render-outputs.js';
import { sizeText } from '../../tools/changelog/render/use-image-html.js';
import { releaseAssetUrl, releasePageUrl } from '../../tools/github/release-tag.js';
import type { Changelog } from '../../tools/schemas/generated/changelog.js';
import { browserArgs, browserCandidates, findBrowser } from '../helpers/browser.js';
import { type ChangelogFixture, createChangelogFixture } from '../helpers/changelog-fixture.js';
import { createTempDir } from '../helpers/git-repo.js';
import { copyRealCatalog, type RealCatalog, type RealRecord, readRecords } from '../helpers/real-catalog.js';
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
  await real?.server.close();
  for (const dir of [site, real?.site, real?.catalog.dir, ...profiles])
    if (dir) await rm(dir, { recursive: true, force: true });
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
      'Recent releases',
      'Deprecated images (still offered, not recommended)',
      'Retired images (no longer offered)',
    ]);
    expect(await page.locator('li.line h3').allInnerTexts()).toEqual(['euca-debian-emi x86_64 deprecated']);
    expect(await page.locator('li.line').first().locator('dd').allInnerTexts()).toEqual([
      '2024.02.10',
      '2024-02-10 09:00:00 UTC',
      'Debian 12 (bookworm), 1300 MiB root, x86_64',
      'deprecated',
    ]);
    expect(await page.locator('table.lines tbody tr').allInnerTexts()).toEqual([
      'euca-debian32-emi i386\t2024.02.01\t2024-02-01\t1',
    ]);
    expect(await page.locator('ol.recent > li').allInnerTexts()).toEqual([
      '2024-02-10 euca-debian-emi x86_64 2024.02.10: Debian 12.5 point release',
      '2024-02-01 euca-debian32-emi i386 2024.02.01: First Debian i386 image',
      '2024-01-15 euca-debian-emi x86_64 2024.01.15: First Debian image: bookworm 12.4',
    ]);
    await page.screenshot({ path: `${screenshots}changelog-index.png`, fullPage: true });

    await page.getByRole('link', { name: 'euca-debian-emi', exact: true }).click();
    await page.waitForURL(/lines\/euca-debian-emi\.x86_64\.html$/);
    expect(await page.locator('li.entry h3').allInnerTexts()).toEqual([
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
        (path) => !/^\/(index\.html|style\.css|lines\/[\w.-]+\.html|favicon\.svg)$/.test(path),
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
    await page.locator('li.entry').nth(1).locator('details.packages summary').click();
    expect(await page.locator('li.entry').nth(1).locator('ul.packages li').allInnerTexts()).toEqual([
      'base-files 12.4 → 12.5',
      'openssh-server 1:9.2p1-2',
      'curl 7.88.1-10',
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

/**
 * The index's height on a 390 px phone, in CSS pixels. Measured on the project's catalog (2 current
 * lines, 9 older ones): 4509 before the index was reworked for phones, 1900 after; the bound is
 * half the old height.
 */
const phoneIndexBound = 2250;
const repository = { owner: 'emi-toolkit', name: 'emi-catalog' };

let real: {
  catalog: RealCatalog;
  site: string;
  server: StaticServer;
  records: Map<string, RealRecord>;
  changelog: Changelog;
};

async function renderRealCatalog() {
  if (real) return real;
  const catalog = await copyRealCatalog();
  const out = await createTempDir('emi-real-site-');
  await generateChangelog({
    cwd: catalog.dir,
    out,
    formats: new Set(outputFormats),
    repository: {
      url: `https://github.com/${repository.owner}/${repository.name}`,
      commit_url: `https://github.com/${repository.owner}/${repository.name}/commit/`,
    },
  });
  real = {
    catalog,
    site: out,
    server: await serveFolder(out),
    records: await readRecords(catalog.dir),
    changelog: JSON.parse(await readFile(`${out}/changelog.json`, 'utf8')) as Changelog,
  };
  return real;
}

const withFiles = (records: Map<string, RealRecord>) =>
  [...records].filter(([, record]) => (record.artifacts ?? []).length > 0);

describe('the project’s catalog in chromium', () => {
  beforeAll(renderRealCatalog);

  it('opens each current line with a box: version, every file with size, sha256 and release link', async () => {
    const { server: site, records } = real;
    const context = await openBrowser({ viewport: { width: 1200, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    const current = withFiles(records);
    expect(current.length).toBeGreaterThan(0);
    for (const [id, record] of current) {
      await page.goto(`${site.url}lines/${id}.html`);
      const box = page.locator('section.use-image');
      expect(await box.locator('h2').textContent()).toBe('Use this image');
      expect(await box.locator('dd').first().textContent()).toBe(record.image_version);
      const files = box.locator('ul.files > li');
      expect(await files.count()).toBe(record.artifacts?.length);
      for (const [index, artifact] of (record.artifacts ?? []).entries()) {
        const item = files.nth(index);
        expect(await item.locator('.file').textContent()).toBe(artifact.name);
        expect(await item.locator('.size').textContent()).toBe(sizeText(artifact.size));
        expect(await item.locator('.sha256 code').textContent()).toBe(artifact.sha256);
        expect(await item.locator('a').getAttribute('href')).toBe(
          releaseAssetUrl(repository, record, artifact.name),
        );
      }
      expect(await box.getByRole('link', { name: /^Release / }).getAttribute('href')).toBe(
        releasePageUrl(repository, record),
      );
      expect(await box.locator('pre.fetch').textContent()).toBe(
        `emi fetch ${record.image_name} --arch ${record.image_arch} --version ${record.image_version}`,
      );
      // SHA256SUMS is there and lists every file.
      const sums = await page.request.get(
        new URL(`${await box.getByRole('link', { name: 'SHA256SUMS' }).getAttribute('href')}`, page.url())
          .href,
      );
      expect(sums.status()).toBe(200);
      expect((await sums.text()).split('\n').filter(Boolean).length).toBe(record.artifacts?.length);
      await page.screenshot({ path: `${screenshots}real-line-${id}-desktop-light.png`, fullPage: true });

      // The index's card: the same version, and each file's release link with its size.
      await page.goto(`${site.url}index.html`);
      const card = page.locator(`#line-${id.replace(/\./g, '\\.')} section.use-image`);
      expect(await card.locator('dd').first().textContent()).toBe(record.image_version);
      const links = card.locator('ul.files > li');
      for (const [index, artifact] of (record.artifacts ?? []).entries()) {
        expect(await links.nth(index).locator('a').getAttribute('href')).toBe(
          releaseAssetUrl(repository, record, artifact.name),
        );
        expect(await links.nth(index).locator('.size').textContent()).toBe(sizeText(artifact.size));
      }
    }
    expect(errors).toEqual([]);
  });

  it('keeps legacy lines out of Recent releases and shows them as a table', async () => {
    const { server: site, changelog } = real;
    const context = await openBrowser({ viewport: { width: 1200, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${site.url}index.html`);
    const statusOf = new Map(changelog.lines.map((line) => [line.id, line.status]));
    const imported = new Set(
      changelog.lines.flatMap((line) =>
        line.entries.filter((entry) => entry.kind === 'imported').map((entry) => `c-${entry.short_commit}`),
      ),
    );
    const hrefs = await page
      .locator('ol.recent > li a')
      .evaluateAll((links) => links.map((link) => link.getAttribute('href') ?? ''));
    expect(hrefs.length).toBeGreaterThan(0);
    for (const href of hrefs) {
      const [, id, anchor] = /^lines\/(.+)\.html#(.+)$/.exec(href) ?? [];
      expect(statusOf.get(id as string), href).not.toBe('legacy');
      expect(imported.has(anchor as string), href).toBe(false);
    }
    expect(await page.locator('.imported-summary').textContent()).toMatch(
      /^And \d+ versions of \d+ lines from the original catalog \(2011–2012\)/,
    );
    const legacyLines = changelog.lines.filter((line) => line.status === 'legacy');
    expect(await page.locator('#status-legacy + .table-wrap tbody tr').count()).toBe(legacyLines.length);
    expect(await page.locator('li.line').count()).toBe(
      changelog.lines.filter((line) => line.status === 'current' || line.status === 'deprecated').length,
    );
  });

  it('fits the index on a phone in about half the height it took, in light and dark', async () => {
    const { server: site } = real;
    for (const colorScheme of ['light', 'dark'] as const) {
      const context = await openBrowser({
        viewport: { width: 390, height: 844 },
        deviceScaleFactor: 2,
        isMobile: true,
        colorScheme,
      });
      const page = await context.newPage();
      await page.goto(`${site.url}index.html`);
      const layout = (await page.evaluate(`({
        height: document.documentElement.scrollHeight,
        overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
        rows: [...document.querySelectorAll('dl.facts > div')].every((row) => {
          const term = row.querySelector('dt').getBoundingClientRect();
          const value = row.querySelector('dd').getBoundingClientRect();
          return Math.abs(term.top - value.top) < 2;
        }),
      })`)) as { height: number; overflow: number; rows: boolean };
      console.log(`index at 390 px (${colorScheme}): ${layout.height} px tall (bound ${phoneIndexBound})`);
      expect(layout.height).toBeLessThanOrEqual(phoneIndexBound);
      expect(layout.overflow).toBeLessThanOrEqual(0);
      expect(layout.rows, 'each label on the same row as its value').toBe(true);
      await page.screenshot({ path: `${screenshots}real-index-phone-${colorScheme}.png`, fullPage: true });
      const current = withFiles(real.records)[0]?.[0];
      await page.goto(`${site.url}lines/${current}.html`);
      await page.screenshot({ path: `${screenshots}real-line-phone-${colorScheme}.png`, fullPage: true });
    }
    const context = await openBrowser({ viewport: { width: 1200, height: 900 }, colorScheme: 'dark' });
    const page = await context.newPage();
    await page.goto(`${site.url}index.html`);
    await page.screenshot({ path: `${screenshots}real-index-desktop-dark.png`, fullPage: true });
    const light = await openBrowser({ viewport: { width: 1200, height: 900 }, colorScheme: 'light' });
    const lightPage = await light.newPage();
    await lightPage.goto(`${site.url}index.html`);
    await lightPage.screenshot({ path: `${screenshots}real-index-desktop-light.png`, fullPage: true });
  });

  it('passes axe-core’s default rules on the index, a current line and a legacy line, light and dark', async () => {
    const { server: site, changelog } = real;
    const axeSource = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
    const current = changelog.lines.find((line) => line.status === 'current');
    const legacy = changelog.lines.find((line) => line.status === 'legacy');
    expect(current && legacy).toBeTruthy();
    const pages = ['index.html', `lines/${current?.id}.html`, `lines/${legacy?.id}.html`];
    for (const colorScheme of ['light', 'dark'] as const) {
      // The pages forbid scripts (CSP); axe is the test's, so the policy is bypassed for it alone.
      const context = await openBrowser({
        viewport: { width: 1200, height: 900 },
        colorScheme,
        bypassCSP: true,
      });
      const page = await context.newPage();
      for (const path of pages) {
        await page.goto(`${site.url}${path}`);
        // Open every folded part, so its content is checked too.
        await page.evaluate(`document.querySelectorAll('details').forEach((d) => { d.open = true; })`);
        await page.addScriptTag({ content: axeSource });
        const result = (await page.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((r) => ({
          passed: r.passes.length,
          violations: r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) })),
        }))`)) as { passed: number; violations: unknown[] };
        // axe ran its rules (colour contrast, names, landmarks, headings...) and none failed.
        expect(result.passed, `${colorScheme} ${path}`).toBeGreaterThan(10);
        expect(result.violations, `${colorScheme} ${path}`).toEqual([]);
      }
    }
  });
});

/**
 * Where a release is registered, as the site, the feeds' entries, CHANGELOG.md, changelog.json and
 * latest.json show it: every ID escaped (the changelog reads records from git as they are, so a
 * malformed one must not become markup), and the JSON files valid against their schemas.
 */
import { describe, expect, it } from 'vitest';
import { buildChangelog } from '../../../tools/changelog/build-changelog.js';
import { draftLines, recordSpec } from '../../../tools/changelog/line-history.js';
import { entryBodyHtml } from '../../../tools/changelog/render/render-entry-html.js';
import { renderJson, renderLatestJson } from '../../../tools/changelog/render/render-json.js';
import { renderMarkdown } from '../../../tools/changelog/render/render-markdown.js';
import { useImageHtml } from '../../../tools/changelog/render/use-image-html.js';
import { kindLabel } from '../../../tools/changelog/render/wording.js';
import { getValidator } from '../../../tools/lib/schema-check.js';
import type { Changelog, Line, Registration } from '../../../tools/schemas/generated/changelog.js';

const path = 'EMI-IDs/euca-debian-emi.x86_64.yaml';
const sha = (n: number) => n.toString(16).padStart(40, '0');
const plain: Registration = {
  cloud: 'private',
  image_id: '4990b7df-cc51-4c84-bf7b-9aa5ade7ac40',
  kernel_id: '0b1e3f3c-8f0e-4c55-9a51-2f6a3e0d7c11',
  ramdisk_id: '7d6c2a90-5e4b-4f3a-8c2d-1a0b9e8f7d66',
  registered_at: '2026-12-01T02:11:20Z',
};
const hostile: Registration = {
  cloud: 'lab<script>alert(1)</script>',
  image_id: 'img-"&<b>',
  kernel_id: "aki-'<i>",
  ramdisk_id: 'ari-<u>',
  registered_at: 'soon<br>',
};

/** A release, then emi register's commit of the same version with two clouds. */
function changelogOf(): Changelog {
  const trace = {
    path,
    changes: [1, 2].map((n) => ({
      commit: sha(n),
      path,
      deleted: false,
      renamedFrom: null,
      oid: null,
      order: n,
    })),
  };
  const fields = new Map<string, Record<string, string>>();
  const artifacts = new Map();
  for (const n of [1, 2]) {
    fields.set(recordSpec(sha(n), path), {
      image_name: 'euca-debian-emi',
      image_arch: 'x86_64',
      image_version: '2026.12.01',
      image_file: 'euca-debian-2026.12.01-x86_64.img',
      image_stamp: '1a2b-3c4d',
      image_date: '20261201010000',
      recipe_name: 'debian-based',
    });
    artifacts.set(recordSpec(sha(n), path), [
      { name: 'euca-debian-2026.12.01-x86_64.img', sha256: 'a'.repeat(64), size: 1363148800 },
    ]);
  }
  const registrations = new Map([[recordSpec(sha(2), path), [plain, hostile]]]);
  const { lines } = draftLines([trace], fields, artifacts, registrations);
  return buildChangelog({
    lines,
    commits: new Map(),
    recipeChanges: new Map(),
    packages: new Map(),
    repository: {
      url: 'https://github.com/example/catalog',
      commit_url: 'https://github.com/example/catalog/commit/',
    },
  });
}

const changelog = changelogOf();
const line = changelog.lines[0] as Line;
const [registration, release] = line.entries;

const noRawMarkup = (text: string) => {
  expect(text).not.toContain('<script>');
  expect(text).not.toMatch(/<(b|i|u|br)>/);
};

describe('registrations in the changelog', () => {
  it('the use-this-image box lists each cloud with its image, kernel and ramdisk IDs and when', () => {
    const html = useImageHtml(line, {
      root: '../',
      full: true,
      heading: { level: 2, id: 'use', html: 'Use' },
    });
    for (const id of [plain.image_id, plain.kernel_id, plain.ramdisk_id])
      expect(html).toContain(`<code>${id}</code>`);
    expect(html).toContain('<strong class="cloud">private</strong>');
    expect(html).toContain('<time datetime="2026-12-01T02:11:20Z">2026-12-01 02:11 UTC</time>');
    expect(html).toContain('lab&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('<code>img-&quot;&amp;&lt;b&gt;</code>');
    expect(html).toContain('<code>aki-&#39;&lt;i&gt;</code>');
    expect(html).toContain('<code>ari-&lt;u&gt;</code>');
    expect(html).toContain('soon&lt;br&gt;');
    noRawMarkup(html);
    // The index's card: each cloud with its machine image's ID.
    const card = useImageHtml(line, { root: '', full: false, heading: { level: 3, id: 'c', html: 'Use' } });
    expect(card).toContain(`<code>${plain.image_id}</code>`);
    expect(card).not.toContain(plain.kernel_id);
    noRawMarkup(card);
  });

  it('the release entry shows where it is registered; the registration reads as such', () => {
    expect(release?.kind).toBe('release');
    expect(registration?.kind).toBe('update');
    expect(kindLabel(registration as never)).toBe('registered in private and lab<script>alert(1)</script>');
    const body = entryBodyHtml(release as never);
    expect(body).toContain('Registered in');
    expect(body).toContain(`<code>${plain.kernel_id}</code>`);
    expect(body).toContain('<code>img-&quot;&amp;&lt;b&gt;</code>');
    noRawMarkup(body);
    noRawMarkup(entryBodyHtml(registration as never));
    expect(entryBodyHtml(registration as never)).toContain(`<code>${plain.ramdisk_id}</code>`);
  });

  it('CHANGELOG.md lists the clouds and IDs, with nothing from the record left as markup', () => {
    const markdown = renderMarkdown(changelog);
    expect(markdown).toContain(
      '### 2026.12.01 (registered in private and lab\\<script\\>alert(1)\\</script\\>',
    );
    expect(markdown).toContain(
      `- private: image \`${plain.image_id}\`, kernel \`${plain.kernel_id}\`, ramdisk \`${plain.ramdisk_id}\` (registered 2026-12-01 02:11 UTC)`,
    );
    expect(markdown).toContain('Registered in 2 clouds:');
    // In a code span, markup is shown as text; outside one it must be escaped.
    expect(markdown).toContain('image `img-"&<b>`, kernel `aki-\'<i>`, ramdisk `ari-<u>`');
    noRawMarkup(markdown.replace(/`[^`\n]*`/g, ''));
  });

  it('changelog.json and latest.json carry them and validate against their schemas', () => {
    const data = JSON.parse(renderJson(changelog));
    const validateChangelog = getValidator('changelog');
    expect(validateChangelog(data), JSON.stringify(validateChangelog.errors)).toBe(true);
    expect(data.lines[0].entries[1].registrations).toEqual([plain, hostile]);
    expect(data.lines[0].entries[0].registered).toEqual([plain, hostile]);
    const latest = JSON.parse(renderLatestJson(line));
    const validateLatest = getValidator('latest');
    expect(validateLatest(latest), JSON.stringify(validateLatest.errors)).toBe(true);
    expect(latest.latest.registrations).toEqual([plain, hostile]);
    // A registration without its kernel is refused by the schema.
    const { kernel_id: _, ...incomplete } = plain;
    expect(validateLatest({ ...latest, latest: { ...latest.latest, registrations: [incomplete] } })).toBe(
      false,
    );
  });
});

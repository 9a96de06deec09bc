/**
 * `emi release`: publishes recorded images as GitHub releases. The command composes the stages:
 * the records from git, the changelog entry of each release rendered by the changelog's Markdown
 * renderer (with the boot check's summary) as its body, and the GitHub release steps.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { summaryLine } from '../boot-check/render-report.js';
import type { VerifyReport } from '../boot-check/verify-image.js';
import type { ImageRecord } from '../catalog/record-files.js';
import { readHistory } from '../changelog/read-history.js';
import { entrySection } from '../changelog/render/render-markdown.js';
import { createGitHubClient, type RequestEvent } from '../github/github-api.js';
import { artifactBase, legacyReportFile, reportAssetName } from '../github/release-assets.js';
import { limitBody, type ReleaseSource, releaseImages } from '../github/release-images.js';
import { ExitCode, UsageError, UserError } from '../lib/errors.js';
import { requireRepoRoot } from '../lib/git.js';
import type { Entry } from '../schemas/generated/changelog.js';
import { changelogPageUrl, githubContext, redact } from './github-context.js';
import { currentRecords, recordOf, resolveLine } from './record-source.js';
import type { CommandRun } from './types.js';

function bootSection(report: VerifyReport | undefined): string {
  if (!report) return '';
  const boots = report.boots.map(
    (boot) =>
      `- ${boot.name}: agent done ${boot.agent_done_s ?? '-'} s, ssh login ${boot.ssh_login_s ?? '-'} s`,
  );
  return [
    '#### Boot check',
    `${summaryLine(report)}, under QEMU with ${report.accel.toUpperCase()} (${report.qemu}).`,
    ...(boots.length ? [boots.join('\n')] : []),
  ].join('\n\n');
}

/** The release body: the changelog entry, the boot check, how to verify the files. */
export function renderReleaseBody(
  entry: Entry,
  record: ImageRecord,
  report: VerifyReport | undefined,
): string {
  const fetch = `emi fetch ${record.image_name} --arch ${record.image_arch} --version ${record.image_version}`;
  return [
    entrySection(entry),
    bootSection(report),
    '#### Files',
    `Download and verify them against the record with \`${fetch}\`, or check a download with \`sha256sum -c SHA256SUMS\`.`,
  ]
    .filter(Boolean)
    .join('\n\n')
    .concat('\n');
}

async function readReport(dir: string, record: ImageRecord): Promise<VerifyReport | undefined> {
  for (const name of [reportAssetName(record), legacyReportFile]) {
    const text = await readFile(join(dir, name), 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    try {
      return JSON.parse(text) as VerifyReport;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

export const run: CommandRun = async (values, _positionals, context) => {
  const pending = Boolean(values.pending);
  const line = values.line as string | undefined;
  const arch = values.arch as string | undefined;
  const dryRun = Boolean(values['dry-run']);
  if (pending && (line !== undefined || arch !== undefined))
    throw new UsageError('give either --pending or --line L --arch A, not both');
  if (!pending && (line === undefined || arch === undefined))
    throw new UsageError(
      'which image? Give --line L --arch A, or --pending for every record not yet released',
    );

  const root = await requireRepoRoot(context.cwd);
  const github = await githubContext(context.env, values.repo as string | undefined, root);
  if (!github.token && !dryRun)
    throw new UserError(
      'no GitHub token: set GITHUB_TOKEN (or GH_TOKEN) to a token with contents: write on the repository (--dry-run needs none)',
    );
  const from = resolve(context.cwd, (values.from as string | undefined) ?? join(root, 'out'));

  let records: ImageRecord[];
  if (pending) records = (await currentRecords(root)).filter((record) => (record.artifacts ?? []).length > 0);
  else records = [await recordOf(root, await resolveLine(root, line as string, arch), undefined)];

  let entries: Map<string, Entry[]> | undefined;
  const sourceOf = async (record: ImageRecord): Promise<ReleaseSource> => {
    if (!entries) {
      const history = await readHistory({
        cwd: root,
        lines: records.map((r) => `${r.image_name}.${r.image_arch}`),
      });
      entries = new Map(history.changelog.lines.map((l) => [l.id, l.entries]));
    }
    const id = `${record.image_name}.${record.image_arch}`;
    const entry = entries
      .get(id)
      ?.find((e) => e.kind === 'release' && e.record.image_version === record.image_version);
    if (!entry)
      throw new UserError(
        `${id} ${record.image_version} has no commit that recorded it: commit EMI-IDs/${id}.yaml first (the release's tag points at that commit)`,
      );
    const report = await readReport(join(from, artifactBase(record)), record);
    const body = limitBody(
      renderReleaseBody(entry, record, report),
      changelogPageUrl(github, context.env, id),
    );
    return { record, commit: entry.commit, body };
  };

  const requests: RequestEvent[] = [];
  const client = createGitHubClient({
    apiUrl: github.apiUrl,
    token: github.token,
    onRequest: (event) => {
      requests.push(event);
      if (event.retry && !values.json)
        context.err(
          `retrying ${event.method} ${event.path} in ${Math.round(event.retry.waitMs / 1000)} s: ${event.retry.reason}\n`,
        );
    },
    signal: context.signal,
  });
  const started = performance.now();
  const say = (text: string) => {
    if (!values.json) context.out(redact(text, github.token));
  };
  try {
    const results = await releaseImages({
      client,
      repo: github.repo,
      records,
      from,
      sourceOf,
      dryRun,
      skipMissing: pending,
      signal: context.signal,
      onEvent: (event) => {
        if (event.type === 'created') say(`${event.tag}: created draft release\n`);
        else if (event.type === 'deleted') say(`${event.tag}: deleted ${event.asset} (${event.reason})\n`);
        else if (event.type === 'upload' && event.state === 'done')
          say(`${event.tag}: uploaded ${event.asset} (${event.size} bytes)\n`);
        else if (event.type === 'upload' && event.state === 'retry')
          say(`${event.tag}: upload of ${event.asset} failed, trying again: ${event.detail}\n`);
        else if (event.type === 'verified')
          say(`${event.tag}: verified ${event.assets} assets (size and sha256)\n`);
        else if (event.type === 'skipped')
          context.err(`warning: ${event.tag} not released: ${event.reason}\n`);
      },
    });
    const ms = performance.now() - started;
    if (values.json) {
      context.out(
        `${redact(
          JSON.stringify({
            repository: `${github.repo.owner}/${github.repo.name}`,
            dry_run: dryRun,
            releases: results,
            requests: requests.length,
            retries: requests.filter((r) => r.retry).length,
            bytes_sent: requests.reduce((sum, r) => sum + r.bytesSent, 0),
            ms: Math.round(ms),
          }),
          github.token,
        )}\n`,
      );
      return ExitCode.ok;
    }
    for (const result of results) {
      if (result.action === 'published') say(`published ${result.tag}: ${result.url}\n`);
      else if (result.action === 'unchanged')
        say(`${result.tag}: published and matching the record, nothing to do\n`);
      else if (result.action === 'would-publish')
        say(
          `${result.tag} (${result.state === 'none' ? 'new' : result.state}) would: ${(result.steps ?? []).join('; ')}\n`,
        );
    }
    if (results.length === 0) say('no recorded image to release\n');
    return ExitCode.ok;
  } catch (error) {
    if (error instanceof Error) error.message = redact(error.message, github.token);
    throw error;
  }
};

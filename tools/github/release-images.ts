/**
 * `emi release` over one or more recorded images: for each, check its files, plan against what
 * GitHub has (found by listing releases, so drafts are found too), then apply, unless it is a dry
 * run. The release body and the commit come from the caller (the changelog sits above this stage).
 * Every plan is made before anything is applied, so a bad folder or an oversized file stops the run
 * before any release is created.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImageRecord } from '../catalog/record-files.js';
import { UserError } from '../lib/errors.js';
import { type ApplyResult, applyReleasePlan, type ReleaseEvent } from './apply-release.js';
import type { GitHubClient, Release, ReleaseFields, RepositoryRef } from './github-api.js';
import { artifactBase, collectReleaseAssets, type LocalAsset } from './release-assets.js';
import { findRelease, planRelease, planWrites, type ReleasePlan } from './release-plan.js';
import { releaseTag } from './release-tag.js';

/** GitHub's limit on a release body, in characters. */
export const bodyLimit = 125_000;

/**
 * `make_latest` for a catalog of many lines: "false", always. GitHub's "Latest" badge and
 * /releases/latest name one release per repository, which would jump between unrelated lines (a
 * centos i386 release would displace a debian x86_64 one); people pick an image by its line, through
 * the changelog or `emi fetch LINE`, never by "latest". Sent as a string: the API's enum is a string.
 */
export const makeLatest = 'false' as const;

/** The body, shortened at a paragraph with a link to the changelog page when over GitHub's limit. */
export function limitBody(body: string, changelogUrl: string, limit = bodyLimit): string {
  if (body.length <= limit) return body;
  const note = `\n\n… shortened to fit GitHub's limit: the whole entry is on the changelog page, ${changelogUrl}\n`;
  const room = limit - note.length;
  let cut = body.lastIndexOf('\n\n', room);
  if (cut < room / 2) cut = body.lastIndexOf('\n', room);
  if (cut < room / 2) cut = room;
  return `${body.slice(0, cut)}${note}`;
}

export interface ReleaseSource {
  record: ImageRecord;
  /** The commit that recorded this version: the tag points at it. */
  commit: string;
  body: string;
}

export interface ImageReleaseResult {
  tag: string;
  image: string;
  state: ReleasePlan['state'];
  action: 'published' | 'unchanged' | 'would-publish' | 'skipped';
  reason?: string;
  url?: string;
  uploaded: string[];
  deleted: string[];
  bytes: number;
  steps?: string[];
}

export interface ReleaseImagesOptions {
  client: GitHubClient;
  repo: RepositoryRef;
  records: readonly ImageRecord[];
  /** The folder holding the artifact folders (<from>/<image_file without .img>/). */
  from: string;
  /** The body and the commit of a release (the changelog entry). */
  sourceOf: (record: ImageRecord) => Promise<ReleaseSource>;
  dryRun: boolean;
  /** --pending: a record whose folder is absent and that has no release is skipped, not an error. */
  skipMissing: boolean;
  signal?: AbortSignal;
  onEvent?: (event: ReleaseEvent | { type: 'skipped'; tag: string; reason: string }) => void;
}

function describeStep(step: ReleasePlan<LocalAsset>['steps'][number]): string {
  switch (step.type) {
    case 'create':
      return 'create draft';
    case 'delete':
      return `delete ${step.asset.name} (${step.reason})`;
    case 'upload':
      return `upload ${step.asset.name} (${step.asset.size} bytes)`;
    case 'verify':
      return step.assets.length ? `verify (download ${step.assets.join(', ')})` : 'verify';
    case 'publish':
      return 'publish';
  }
}

export async function releaseImages(options: ReleaseImagesOptions): Promise<ImageReleaseResult[]> {
  const { client, repo } = options;
  const releases: Release[] = await client.listReleases(repo);
  const planned: { plan: ReleasePlan<LocalAsset>; result: ImageReleaseResult }[] = [];
  const results: ImageReleaseResult[] = [];

  for (const record of options.records) {
    const tag = releaseTag(record);
    const image = `${record.image_name}.${record.image_arch} ${record.image_version}`;
    const existing = findRelease(releases, tag);
    const dir = join(options.from, artifactBase(record));
    const folderMissing = !(await stat(dir).catch(() => undefined));
    if (folderMissing && existing && !existing.draft) {
      // Published, and its files are not here: check it against the record alone (read only).
      const assets = (record.artifacts ?? [])
        .filter((artifact) => artifact.name !== `${artifactBase(record)}.img`)
        .map((artifact) => ({ ...artifact, path: '', checkedAgainst: 'record' as const }));
      const plan = planRelease(
        {
          tag_name: tag,
          target_commitish: existing.target_commitish,
          name: '',
          body: '',
          make_latest: makeLatest,
        },
        assets,
        existing,
      );
      planned.push({
        plan,
        result: {
          tag,
          image,
          state: plan.state,
          action: 'unchanged',
          uploaded: [],
          deleted: [],
          bytes: 0,
          url: existing.html_url,
        },
      });
      continue;
    }
    if (folderMissing) {
      const reason = `no artifact folder ${dir}`;
      if (!options.skipMissing) throw new UserError(`cannot release ${image}: ${reason}`);
      options.onEvent?.({ type: 'skipped', tag, reason });
      results.push({
        tag,
        image,
        state: existing ? 'draft' : 'none',
        action: 'skipped',
        reason,
        uploaded: [],
        deleted: [],
        bytes: 0,
      });
      continue;
    }
    const assets = await collectReleaseAssets(dir, record, options.signal);
    const source = await options.sourceOf(record);
    const fields: ReleaseFields = {
      tag_name: tag,
      target_commitish: source.commit,
      name: `${record.image_name} ${record.image_arch} ${record.image_version}`,
      body: source.body,
      make_latest: makeLatest,
    };
    const plan = planRelease(fields, assets, existing);
    planned.push({
      plan,
      result: {
        tag,
        image,
        state: plan.state,
        action: planWrites(plan) ? (options.dryRun ? 'would-publish' : 'published') : 'unchanged',
        uploaded: [],
        deleted: [],
        bytes: 0,
        steps: plan.steps.map(describeStep),
        ...(existing && !existing.draft ? { url: existing.html_url } : {}),
      },
    });
  }

  // Published releases that differ from the record stop the run before anything is written.
  const broken = planned.filter(({ plan }) => plan.problems.length > 0);
  if (broken.length > 0)
    await applyReleasePlan({ client, repo }, (broken[0] as (typeof broken)[number]).plan);

  for (const { plan, result } of planned) {
    if (options.dryRun || plan.steps.length === 0) {
      results.push(result);
      continue;
    }
    const applied: ApplyResult = await applyReleasePlan(
      {
        client,
        repo,
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.onEvent ? { onEvent: options.onEvent } : {}),
      },
      plan,
    );
    results.push({
      ...result,
      url: applied.url,
      uploaded: applied.uploaded,
      deleted: applied.deleted,
      bytes: plan.expected
        .filter((asset) => applied.uploaded.includes(asset.name))
        .reduce((sum, a) => sum + a.size, 0),
    });
  }
  return results;
}

/**
 * Applies a release plan, the only writer of releases: create the draft, delete what must go,
 * upload (each upload retried after clearing its partial asset), verify every asset's size and
 * sha256 (GitHub's digest, or the downloaded bytes where it gives none), then publish. A run killed
 * at any point leaves a draft that the next run finds by listing and completes. A published release
 * is never sent a write: a mismatch there is a hard error that names the asset.
 */
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { UserError } from '../lib/errors.js';
import {
  GitHubApiError,
  type GitHubClient,
  type Release,
  type ReleaseAsset,
  type RepositoryRef,
} from './github-api.js';
import type { LocalAsset } from './release-assets.js';
import { describeMismatch, findRelease, judgeAsset, type ReleasePlan } from './release-plan.js';

export class PublishedReleaseMismatchError extends UserError {
  override name = 'PublishedReleaseMismatchError';
}

export type ReleaseEvent =
  | { type: 'created'; tag: string; id: number }
  | { type: 'deleted'; tag: string; asset: string; reason: string }
  | {
      type: 'upload';
      tag: string;
      asset: string;
      size: number;
      state: 'start' | 'done' | 'retry';
      detail?: string;
    }
  | { type: 'verified'; tag: string; assets: number; downloaded: number }
  | { type: 'published'; tag: string; url: string };

export interface ApplyOptions {
  client: GitHubClient;
  repo: RepositoryRef;
  onEvent?: (event: ReleaseEvent) => void;
  signal?: AbortSignal;
  /** Upload attempts per asset (default 4), and the first back-off between them in ms (default 2000). */
  uploadAttempts?: number;
  uploadBackoffMs?: number;
}

export async function hashRemoteAsset(client: GitHubClient, asset: ReleaseAsset, signal?: AbortSignal) {
  const { body } = await client.downloadAsset(asset, signal);
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of body) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), size };
}

function published(plan: ReleasePlan<LocalAsset>): never {
  throw new PublishedReleaseMismatchError(
    `release ${plan.tag} is published and its assets do not match the record: ${plan.problems.join('; ')}. A published release is not changed: delete it by hand if it is wrong (an immutable release's tag cannot be reused), or record a new version`,
  );
}

async function verifyAll(
  options: ApplyOptions,
  plan: ReleasePlan<LocalAsset>,
  release: Release,
  wanted: readonly LocalAsset[],
): Promise<number> {
  const assets = await options.client.listAssets(options.repo, release.id);
  const byName = new Map(assets.map((asset) => [asset.name, asset]));
  let downloaded = 0;
  for (const expected of wanted) {
    const found = byName.get(expected.name);
    const verdict = judgeAsset(expected, found);
    if (verdict === 'unverified' && found) {
      const remote = await hashRemoteAsset(options.client, found, options.signal);
      downloaded++;
      if (remote.sha256 === expected.sha256 && remote.size === expected.size) continue;
      throw new UserError(
        `release ${plan.tag}: ${expected.name} downloaded as ${remote.size} bytes with sha256 ${remote.sha256}, expected ${expected.size} bytes and ${expected.sha256}`,
      );
    }
    if (verdict !== 'match')
      throw new UserError(
        `release ${plan.tag} after upload: ${describeMismatch(expected, found)}; run again to repair the draft`,
      );
  }
  return downloaded;
}

async function upload(
  options: ApplyOptions,
  release: Release,
  asset: LocalAsset,
  tag: string,
): Promise<void> {
  const { client, repo } = options;
  const attempts = options.uploadAttempts ?? 4;
  const emit = options.onEvent ?? (() => {});
  emit({ type: 'upload', tag, asset: asset.name, size: asset.size, state: 'start' });
  for (let attempt = 1; ; attempt++) {
    try {
      const uploaded = await client.uploadAsset(release, asset);
      emit({ type: 'upload', tag, asset: asset.name, size: asset.size, state: 'done' });
      if (uploaded.size !== asset.size)
        throw new UserError(`${asset.name}: GitHub stored ${uploaded.size} bytes of ${asset.size}`);
      return;
    } catch (error) {
      if (options.signal?.aborted) throw error;
      const status = error instanceof GitHubApiError ? error.status : 0;
      // 5xx (a 502 may leave a `starter` asset), 422 already_exists (an earlier try did land), or
      // a dropped connection: clear the name and send the file again. Anything else is final.
      const again =
        status === 0 || status >= 500 || (error instanceof GitHubApiError && error.code === 'already_exists');
      if (!again || attempt >= attempts) throw error;
      emit({
        type: 'upload',
        tag,
        asset: asset.name,
        size: asset.size,
        state: 'retry',
        detail: (error as Error).message,
      });
      await sleep((options.uploadBackoffMs ?? 2000) * 2 ** (attempt - 1), undefined, {
        ...(options.signal ? { signal: options.signal } : {}),
      });
      for (const leftover of await client.listAssets(repo, release.id))
        if (leftover.name === asset.name) await client.deleteAsset(repo, leftover.id);
    }
  }
}

export interface ApplyResult {
  tag: string;
  url: string;
  changed: boolean;
  uploaded: string[];
  deleted: string[];
  downloadedToVerify: number;
}

export async function applyReleasePlan(
  options: ApplyOptions,
  plan: ReleasePlan<LocalAsset>,
): Promise<ApplyResult> {
  const { client, repo } = options;
  const emit = options.onEvent ?? (() => {});
  if (plan.problems.length > 0) published(plan);
  const result: ApplyResult = {
    tag: plan.tag,
    url: plan.release?.html_url ?? '',
    changed: false,
    uploaded: [],
    deleted: [],
    downloadedToVerify: 0,
  };
  let release = plan.release;
  for (const step of plan.steps) {
    options.signal?.throwIfAborted();
    switch (step.type) {
      case 'create': {
        try {
          release = await client.createDraftRelease(repo, plan.fields);
        } catch (error) {
          // Another run made it meanwhile: continue with that one if it is a draft.
          if (!(error instanceof GitHubApiError && error.status === 422 && error.code === 'already_exists'))
            throw error;
          release = findRelease(await client.listReleases(repo), plan.tag);
          if (!release) throw error;
          if (!release.draft)
            throw new UserError(
              `release ${plan.tag} was published by another run meanwhile: run again to check it`,
            );
        }
        result.changed = true;
        emit({ type: 'created', tag: plan.tag, id: release.id });
        break;
      }
      case 'delete':
        await client.deleteAsset(repo, step.asset.id);
        result.changed = true;
        result.deleted.push(step.asset.name);
        emit({ type: 'deleted', tag: plan.tag, asset: step.asset.name, reason: step.reason });
        break;
      case 'upload':
        await upload(options, release as Release, step.asset, plan.tag);
        result.changed = true;
        result.uploaded.push(step.asset.name);
        break;
      case 'verify': {
        if (!release) break;
        if (plan.state === 'published') {
          // Read only: download what GitHub gives no digest for.
          for (const name of step.assets) {
            const found = release.assets.find((asset) => asset.name === name) as ReleaseAsset;
            const remote = await hashRemoteAsset(client, found, options.signal);
            result.downloadedToVerify++;
            const local = plan.expected.find((asset) => asset.name === name);
            if (!local || remote.sha256 !== local.sha256 || remote.size !== local.size)
              published({
                ...plan,
                problems: [
                  `${name} downloaded with sha256 ${remote.sha256}, expected ${local?.sha256 ?? '?'}`,
                ],
              });
          }
          break;
        }
        result.downloadedToVerify = await verifyAll(options, plan, release, plan.expected);
        emit({
          type: 'verified',
          tag: plan.tag,
          assets: plan.expected.length,
          downloaded: result.downloadedToVerify,
        });
        break;
      }
      case 'publish': {
        const done = await client.publishRelease(repo, (release as Release).id, plan.fields);
        result.changed = true;
        result.url = done.html_url;
        emit({ type: 'published', tag: plan.tag, url: done.html_url });
        break;
      }
    }
  }
  return result;
}

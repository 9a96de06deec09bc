/**
 * What a release run will do, as plain data (pure): compare the release GitHub has for the tag (none,
 * a draft, or published) with the files that should be on it, and list the steps. A draft is ours
 * to repair: partial (`starter`) uploads, mismatched and unexpected assets are deleted and the files
 * uploaded again. A published release is never changed: if its assets differ from the files, the
 * plan holds the problems and applying it is a hard error.
 */
import type { Release, ReleaseAsset, ReleaseFields } from './github-api.js';
import type { ExpectedAsset } from './release-assets.js';

export type AssetVerdict =
  /** Size and GitHub's sha256 digest equal the file. */
  | 'match'
  /** Size equal, but GitHub gives no digest: the bytes must be downloaded and hashed. */
  | 'unverified'
  | 'missing'
  /** A partial upload (`starter`), which GitHub says can be safely deleted. */
  | 'partial'
  | 'mismatch';

export function judgeAsset(expected: ExpectedAsset, found: ReleaseAsset | undefined): AssetVerdict {
  if (!found) return 'missing';
  if (found.state !== 'uploaded') return 'partial';
  if (found.size !== expected.size) return 'mismatch';
  if (found.digest === null) return 'unverified';
  return found.digest === `sha256:${expected.sha256}` ? 'match' : 'mismatch';
}

export function describeMismatch(expected: ExpectedAsset, found: ReleaseAsset | undefined): string {
  if (!found) return `${expected.name} is missing`;
  if (found.state !== 'uploaded') return `${expected.name} is a partial upload (state ${found.state})`;
  if (found.size !== expected.size)
    return `${expected.name} is ${found.size} bytes, expected ${expected.size}`;
  return `${expected.name} has digest ${found.digest}, expected sha256:${expected.sha256}`;
}

export type ReleaseStep<A extends ExpectedAsset = ExpectedAsset> =
  | { type: 'create' }
  | { type: 'delete'; asset: ReleaseAsset; reason: string }
  | { type: 'upload'; asset: A }
  /** Download and hash these assets: GitHub gave no digest for them. */
  | { type: 'verify'; assets: string[] }
  | { type: 'publish' };

export interface ReleasePlan<A extends ExpectedAsset = ExpectedAsset> {
  tag: string;
  fields: ReleaseFields;
  /** What GitHub has now. */
  state: 'none' | 'draft' | 'published';
  release: Release | undefined;
  /** The files that should be on the release, in upload order. */
  expected: readonly A[];
  verdicts: { name: string; verdict: AssetVerdict }[];
  steps: ReleaseStep<A>[];
  /** Published and different from the files: each names the asset. Applying throws. */
  problems: string[];
  /** Assets of a published release that are not ours; left alone. */
  extras: string[];
}

/** Drafts are only found by listing (get-release-by-tag returns published releases only). */
export function findRelease(releases: readonly Release[], tag: string): Release | undefined {
  const matching = releases.filter((release) => release.tag_name === tag);
  return matching.find((release) => !release.draft) ?? matching[0];
}

export function planRelease<A extends ExpectedAsset>(
  fields: ReleaseFields,
  wanted: readonly A[],
  release: Release | undefined,
): ReleasePlan<A> {
  const tag = fields.tag_name;
  const byName = new Map((release?.assets ?? []).map((asset) => [asset.name, asset]));
  const verdicts = wanted.map((asset) => ({
    name: asset.name,
    verdict: judgeAsset(asset, byName.get(asset.name)),
  }));
  const wantedNames = new Set(wanted.map((asset) => asset.name));
  const extras = (release?.assets ?? []).filter((asset) => !wantedNames.has(asset.name));
  const unverified = verdicts.filter((v) => v.verdict === 'unverified').map((v) => v.name);

  if (!release) {
    return {
      tag,
      fields,
      state: 'none',
      release,
      expected: wanted,
      verdicts,
      steps: [
        { type: 'create' },
        ...wanted.map((asset) => ({ type: 'upload' as const, asset })),
        { type: 'verify', assets: [] },
        { type: 'publish' },
      ],
      problems: [],
      extras: [],
    };
  }

  if (!release.draft) {
    const problems = wanted
      .filter((_asset, index) => !['match', 'unverified'].includes(verdicts[index]?.verdict as string))
      .map((asset) => describeMismatch(asset, byName.get(asset.name)));
    return {
      tag,
      fields,
      state: 'published',
      release,
      expected: wanted,
      verdicts,
      steps: unverified.length > 0 && problems.length === 0 ? [{ type: 'verify', assets: unverified }] : [],
      problems,
      extras: extras.map((asset) => asset.name),
    };
  }

  const steps: ReleaseStep<A>[] = [];
  for (const asset of extras) steps.push({ type: 'delete', asset, reason: 'not a file of this release' });
  wanted.forEach((asset, index) => {
    const verdict = verdicts[index]?.verdict;
    const found = byName.get(asset.name);
    if (found && (verdict === 'partial' || verdict === 'mismatch'))
      steps.push({ type: 'delete', asset: found, reason: describeMismatch(asset, found) });
  });
  wanted.forEach((asset, index) => {
    const verdict = verdicts[index]?.verdict;
    if (verdict !== 'match' && verdict !== 'unverified') steps.push({ type: 'upload', asset });
  });
  steps.push({ type: 'verify', assets: unverified }, { type: 'publish' });
  return {
    tag,
    fields,
    state: 'draft',
    release,
    expected: wanted,
    verdicts,
    steps,
    problems: [],
    extras: [],
  };
}

/** Whether applying the plan sends any request that changes something on GitHub. */
export function planWrites(plan: ReleasePlan): boolean {
  return plan.steps.some((step) => step.type !== 'verify');
}

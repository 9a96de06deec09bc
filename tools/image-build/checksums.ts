/** SHA-256 checksums of the artifacts, and the SHA256SUMS file (`sha256sum -c` reads it). */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Artifact } from './events.js';

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 4 * 1024 * 1024 }))
    hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export async function describeArtifacts(dir: string, names: readonly string[]): Promise<Artifact[]> {
  const artifacts: Artifact[] = [];
  for (const name of names) {
    const path = join(dir, name);
    artifacts.push({ name, sha256: await sha256File(path), size: (await stat(path)).size });
  }
  return artifacts;
}

/** `<hex>  <name>` lines, sorted by name. */
export function renderSha256Sums(artifacts: readonly Pick<Artifact, 'name' | 'sha256'>[]): string {
  return [...artifacts]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((artifact) => `${artifact.sha256}  ${artifact.name}\n`)
    .join('');
}

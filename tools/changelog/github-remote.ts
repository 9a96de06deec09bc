/**
 * Commit links for the changelog when the catalog's remote is on GitHub, whatever form its URL
 * takes (https, ssh://, scp-like git@host:path, git://). Only the owner and repository name are
 * kept: credentials a URL may carry never reach the output. Pure.
 */
import type { Repository } from '../schemas/generated/changelog.js';

const owner = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;
const repo = /^[A-Za-z0-9._-]{1,100}$/;
const githubHosts = new Set(['github.com', 'www.github.com']);

function hostAndPath(url: string): { host: string; path: string } | undefined {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\/([^/]*)(\/.*)?$/i.exec(url);
  if (scheme) {
    const authority = (scheme[2] as string).replace(/^.*@/, '');
    return { host: authority.replace(/:\d*$/, '').toLowerCase(), path: scheme[3] ?? '' };
  }
  // scp-like syntax: [user@]host:path (no slash before the colon).
  const scp = /^(?:[^@/]+@)?([^:/]+):(.+)$/.exec(url);
  if (scp) return { host: (scp[1] as string).toLowerCase(), path: `/${scp[2] as string}` };
  return undefined;
}

export function githubRepositoryOf(remoteUrl: string | undefined): Repository | null {
  if (!remoteUrl) return null;
  const parsed = hostAndPath(remoteUrl.trim());
  if (!parsed || !githubHosts.has(parsed.host)) return null;
  const parts = parsed.path.split('/').filter((part) => part !== '');
  if (parts.length !== 2) return null;
  const [name, rawRepo] = parts as [string, string];
  const repository = rawRepo.replace(/\.git$/, '');
  if (!owner.test(name) || !repo.test(repository) || repository === '.' || repository === '..') return null;
  const url = `https://github.com/${name}/${repository}`;
  return { url, commit_url: `${url}/commit/` };
}

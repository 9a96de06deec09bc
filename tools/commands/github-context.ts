/**
 * Where GitHub is for `emi release` and `emi fetch`: the API (GITHUB_API_URL, or GITHUB_SERVER_URL's
 * /api/v3 on GitHub Enterprise Server), the web server (GITHUB_SERVER_URL), the repository (--repo,
 * GITHUB_REPOSITORY, or the origin remote when it is on github.com) and the token (GITHUB_TOKEN or
 * GH_TOKEN), which is handed to the adapter and never printed.
 */
import { githubRepositoryOf } from '../changelog/github-remote.js';
import type { RepositoryRef } from '../github/github-api.js';
import { UsageError, UserError } from '../lib/errors.js';
import { getRemoteUrl } from '../lib/git.js';

const repoPattern = /^([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))\/([A-Za-z0-9._-]{1,100})$/;

export function parseRepository(value: string, where: string): RepositoryRef {
  const match = repoPattern.exec(value.trim());
  if (!match || match[2] === '.' || match[2] === '..')
    throw new UsageError(`${where}: "${value}" is not OWNER/NAME`);
  return { owner: match[1] as string, name: match[2] as string };
}

export interface GitHubContext {
  apiUrl: string;
  serverUrl: string;
  repo: RepositoryRef;
  token: string | undefined;
}

function urlOf(value: string, name: string): string {
  try {
    const url = new URL(value);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('scheme');
    return url.href.replace(/\/+$/, '');
  } catch {
    throw new UserError(`${name} is "${value}", not an http(s) URL`);
  }
}

export async function githubContext(
  env: NodeJS.ProcessEnv,
  repoOption: string | undefined,
  root: string,
): Promise<GitHubContext> {
  const serverUrl = env.GITHUB_SERVER_URL
    ? urlOf(env.GITHUB_SERVER_URL, 'GITHUB_SERVER_URL')
    : 'https://github.com';
  const apiUrl = env.GITHUB_API_URL
    ? urlOf(env.GITHUB_API_URL, 'GITHUB_API_URL')
    : serverUrl === 'https://github.com'
      ? 'https://api.github.com'
      : `${serverUrl}/api/v3`;
  let repo: RepositoryRef | undefined;
  if (repoOption !== undefined) repo = parseRepository(repoOption, '--repo');
  else if (env.GITHUB_REPOSITORY) repo = parseRepository(env.GITHUB_REPOSITORY, 'GITHUB_REPOSITORY');
  else {
    const fromRemote = githubRepositoryOf(await getRemoteUrl(root));
    const path = fromRemote ? new URL(fromRemote.url).pathname.slice(1) : undefined;
    if (path) repo = parseRepository(path, 'the origin remote');
  }
  if (!repo)
    throw new UsageError(
      'which repository? Pass --repo OWNER/NAME or set GITHUB_REPOSITORY (the origin remote is not on github.com)',
    );
  const token = env.GITHUB_TOKEN || env.GH_TOKEN || undefined;
  return { apiUrl, serverUrl, repo, token };
}

/** The changelog site's page of a line, for a release body cut short (EMI_CHANGELOG_URL overrides). */
export function changelogPageUrl(context: GitHubContext, env: NodeJS.ProcessEnv, lineId: string): string {
  const base = env.EMI_CHANGELOG_URL
    ? urlOf(env.EMI_CHANGELOG_URL, 'EMI_CHANGELOG_URL')
    : context.serverUrl === 'https://github.com'
      ? `https://${context.repo.owner.toLowerCase()}.github.io/${context.repo.name}`
      : `${context.serverUrl}/pages/${context.repo.owner}/${context.repo.name}`;
  return `${base}/lines/${encodeURIComponent(lineId)}.html`;
}

/** Never shows a token, whatever a message picked up on the way. */
export function redact(text: string, token: string | undefined): string {
  return token && token.length >= 4 ? text.split(token).join('***') : text;
}

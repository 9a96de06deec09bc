/** `emi fetch`: downloads a recorded image's release and verifies it against the record in git. */
import { resolve } from 'node:path';
import { type FetchEvent, fetchRelease } from '../github/fetch-release.js';
import { createGitHubClient } from '../github/github-api.js';
import { ExitCode } from '../lib/errors.js';
import { requireRepoRoot } from '../lib/git.js';
import { githubContext, redact } from './github-context.js';
import { recordOf, resolveLine } from './record-source.js';
import type { CommandRun } from './types.js';

const mb = (bytes: number) => (bytes / 1e6).toFixed(1);

export const run: CommandRun = async (values, positionals, context) => {
  const root = await requireRepoRoot(context.cwd);
  const github = await githubContext(context.env, values.repo as string | undefined, root);
  const line = await resolveLine(root, positionals[0] as string, values.arch as string | undefined);
  const record = await recordOf(root, line, values.version as string | undefined);
  const to = resolve(context.cwd, (values.to as string | undefined) ?? '.');
  const client = createGitHubClient({ apiUrl: github.apiUrl, token: github.token, signal: context.signal });

  let shown = '';
  const live = context.interactive && !values.json;
  const onEvent = (event: FetchEvent) => {
    if (values.json) return;
    if (event.type === 'progress' && live) {
      const text = `\r${event.name}  ${mb(event.bytes)}/${mb(event.size)} MB (${Math.floor((100 * event.bytes) / Math.max(1, event.size))}%)`;
      context.err(text.padEnd(shown.length));
      shown = text;
    } else if (event.type === 'file' && event.state === 'verified') {
      if (shown) context.err(`\r${' '.repeat(shown.length)}\r`);
      shown = '';
      const rate = event.ms > 0 ? ` at ${mb((event.size * 1000) / event.ms)} MB/s` : '';
      context.out(`${event.name}  ${mb(event.size)} MB${rate}  sha256 verified\n`);
    }
  };
  try {
    const result = await fetchRelease({
      client,
      repo: github.repo,
      record,
      to,
      signal: context.signal,
      onEvent,
    });
    const rate = result.ms > 0 ? (result.bytes * 1000) / result.ms / 1e6 : 0;
    if (values.json)
      context.out(
        `${JSON.stringify({
          tag: result.tag,
          dir: result.dir,
          files: result.files,
          bytes: result.bytes,
          ms: Math.round(result.ms),
          mb_per_s: Number(rate.toFixed(1)),
        })}\n`,
      );
    else
      context.out(
        `${result.tag}: ${result.files.length} files, ${mb(result.bytes)} MB in ${(result.ms / 1000).toFixed(1)} s (${rate.toFixed(1)} MB/s), verified against the record, in ${result.dir}\n`,
      );
    return ExitCode.ok;
  } catch (error) {
    if (shown) context.err('\n');
    if (error instanceof Error) error.message = redact(error.message, github.token);
    throw error;
  }
};

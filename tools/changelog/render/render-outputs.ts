/**
 * Every output file of `emi changelog`, rendered in memory before anything is written: the plan
 * that the writer applies in one step. Paths are relative to the output folder. Pure.
 */
import { readFileSync } from 'node:fs';
import { toolkitPath } from '../../lib/paths.js';
import type { Changelog } from '../../schemas/generated/changelog.js';
import { favicon } from './favicon.js';
import { type FeedOptions, renderAllFeed, renderLineFeed } from './render-atom.js';
import { renderIndexPage, renderLinePage } from './render-html.js';
import { renderJson, renderLatestJson, renderSha256Sums } from './render-json.js';
import { renderMarkdown } from './render-markdown.js';
import {
  allFeedPath,
  faviconPath,
  lineFeedPath,
  lineLatestPath,
  linePagePath,
  lineSumsPath,
} from './site-map.js';
import { siteStyle } from './site-style.js';

export const outputFormats = ['md', 'html', 'atom', 'json'] as const;
export type OutputFormat = (typeof outputFormats)[number];

export interface RenderOptions extends FeedOptions {
  formats: ReadonlySet<OutputFormat>;
}

export interface OutputFile {
  path: string;
  content: string;
}

export function renderOutputs(changelog: Changelog, options: RenderOptions): OutputFile[] {
  const files: OutputFile[] = [];
  const { formats } = options;
  if (formats.has('md')) files.push({ path: 'CHANGELOG.md', content: renderMarkdown(changelog) });
  if (formats.has('html')) {
    const site = { formats };
    files.push({ path: 'index.html', content: renderIndexPage(changelog, site) });
    files.push({ path: 'style.css', content: siteStyle });
    files.push({ path: faviconPath, content: favicon });
    for (const line of changelog.lines)
      files.push({ path: linePagePath(line), content: renderLinePage(changelog, line, site) });
  }
  if (formats.has('atom')) {
    files.push({ path: allFeedPath, content: renderAllFeed(changelog, options) });
    for (const line of changelog.lines)
      files.push({ path: lineFeedPath(line), content: renderLineFeed(changelog, line, options) });
  }
  if (formats.has('json')) {
    files.push({ path: 'changelog.json', content: renderJson(changelog) });
    for (const schema of ['changelog.schema.json', 'latest.schema.json'])
      files.push({ path: schema, content: readFileSync(toolkitPath('tools', 'schemas', schema), 'utf8') });
    for (const line of changelog.lines)
      files.push({ path: lineLatestPath(line), content: renderLatestJson(line) });
  }
  // The checksums of each line's files, from its record, for `sha256sum -c` (linked from the site).
  if (formats.has('html') || formats.has('json'))
    for (const line of changelog.lines) {
      const sums = renderSha256Sums(line);
      if (sums !== null) files.push({ path: lineSumsPath(line), content: sums });
    }
  return files;
}

/**
 * Every output file of `emi changelog`, rendered in memory before anything is written: the plan
 * that the writer applies in one step. Paths are relative to the output folder. Pure.
 */
import { readFileSync } from 'node:fs';
import { toolkitPath } from '../../lib/paths.js';
import type { Changelog } from '../../schemas/generated/changelog.js';
import { type FeedOptions, renderAllFeed, renderLineFeed } from './render-atom.js';
import { renderIndexPage, renderLinePage } from './render-html.js';
import { renderJson } from './render-json.js';
import { renderMarkdown } from './render-markdown.js';
import { allFeedPath, lineFeedPath, linePagePath } from './site-map.js';
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
    files.push({
      path: 'changelog.schema.json',
      content: readFileSync(toolkitPath('tools', 'schemas', 'changelog.schema.json'), 'utf8'),
    });
  }
  return files;
}

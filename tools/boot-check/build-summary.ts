/**
 * The job summary of a build in a workflow: `emi build --json` progress (JSON lines) rendered as
 * Markdown for $GITHUB_STEP_SUMMARY: each image's steps with their times, the boot check's
 * verdicts and boot times (from the verify.json it left beside the artifacts), the artifact sizes
 * and the record files. Pure; text from the build is escaped, since a recipe can shape it.
 */
import type { BuildEvent, StepName } from '../image-build/events.js';
import { escapeMarkdown } from '../lib/markdown.js';
import { formatBytes } from '../recipes/sizes.js';
import type { VerifyReport } from './verify-image.js';

export interface ParsedProgress {
  events: BuildEvent[];
  result?: { ok: boolean; up_to_date?: string[] };
  /** Lines that were not JSON (a crash's message, say). */
  other: string[];
}

export function parseProgress(text: string): ParsedProgress {
  const events: BuildEvent[] = [];
  const other: string[] = [];
  let result: ParsedProgress['result'];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      other.push(line);
      continue;
    }
    const type = (parsed as { type?: unknown }).type;
    if (type === 'result') result = parsed as ParsedProgress['result'];
    else if (typeof type === 'string') events.push(parsed as BuildEvent);
    else other.push(line);
  }
  return { events, ...(result ? { result } : {}), other };
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

interface StepRow {
  step: StepName;
  state: string;
  ms?: number;
  text: string;
}

export function renderBuildSummary(
  progress: ParsedProgress,
  reports: ReadonlyMap<string, VerifyReport> = new Map(),
): string {
  const byImage = new Map<string, StepRow[]>();
  const notes: string[] = [];
  const artifacts = new Map<string, { name: string; size: number }[]>();
  const records = new Map<string, string[]>();
  const rowsOf = (image: string) => {
    const rows = byImage.get(image) ?? [];
    byImage.set(image, rows);
    return rows;
  };
  for (const event of progress.events) {
    const image = ('image' in event && event.image) || 'build';
    if (event.type === 'step' && event.state !== 'start') {
      const text =
        event.state === 'failed'
          ? event.error
          : event.state === 'skipped'
            ? event.detail
            : (event.detail ?? '');
      rowsOf(image).push({
        step: event.step,
        state: event.state,
        ...('ms' in event ? { ms: event.ms } : {}),
        text,
      });
    } else if (event.type === 'note') {
      notes.push(`${event.image ? `${event.image}: ` : ''}${event.message}`);
    } else if (event.type === 'image') {
      artifacts.set(event.image, event.artifacts);
    } else if (event.type === 'record') {
      records.set(event.image, event.files);
    }
  }
  const failed = progress.events.some((event) => event.type === 'step' && event.state === 'failed');
  const ok = progress.result?.ok === true && !failed;
  const lines: string[] = [];
  const built = [...artifacts.keys()];
  lines.push(
    `## ${ok ? '✅' : '❌'} emi build: ${
      ok
        ? built.length > 0
          ? `built ${built.map(escapeMarkdown).join(', ')}`
          : 'nothing to build'
        : 'failed'
    }`,
    '',
  );
  for (const note of notes) lines.push(`> ${escapeMarkdown(note)}`, '');
  for (const [image, rows] of byImage) {
    lines.push(`### ${escapeMarkdown(image)}`, '', '| step | result | time | detail |', '|---|---|---:|---|');
    for (const row of rows)
      lines.push(
        `| ${row.step} | ${row.state} | ${row.ms === undefined ? '' : seconds(row.ms)} | ${escapeMarkdown(row.text)} |`,
      );
    lines.push('');
    const report = reports.get(image);
    if (report) {
      lines.push(
        `Boot check (${escapeMarkdown(report.accel.toUpperCase())}): ${report.ok ? 'passed' : 'failed'}`,
        '',
        '| boot | agent done | ssh login |',
        '|---|---:|---:|',
      );
      for (const boot of report.boots)
        lines.push(
          `| ${escapeMarkdown(boot.name)} | ${boot.agent_done_s ?? '–'} s | ${boot.ssh_login_s ?? '–'} s |`,
        );
      lines.push('', '| check | boot | verdict | detail |', '|---|---|---|---|');
      for (const check of report.checks)
        lines.push(
          `| ${check.name} | ${escapeMarkdown(check.boot ?? '')} | ${check.result} | ${escapeMarkdown(check.detail)} |`,
        );
      lines.push('');
    }
    const files = artifacts.get(image);
    if (files) {
      lines.push('| artifact | size |', '|---|---:|');
      for (const file of files) lines.push(`| ${escapeMarkdown(file.name)} | ${formatBytes(file.size)} |`);
      lines.push('');
    }
    const written = records.get(image);
    if (written)
      lines.push(`Record files: ${written.map((file) => `\`${escapeMarkdown(file)}\``).join(', ')}`, '');
  }
  if (progress.other.length > 0) {
    lines.push('<details><summary>other output</summary>', '', '```');
    lines.push(...progress.other.slice(-40).map((line) => line.replace(/```/g, "'''").slice(0, 500)));
    lines.push('```', '', '</details>', '');
  }
  return `${lines.join('\n')}\n`;
}

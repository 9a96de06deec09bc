// The figures every benchmark reports, in one shape, so `npm run bench` can print one table:
// each figure with its anchor (mkosi, cloud-init, curl, or a floor such as one `git log`) measured
// in the same run, the ratio, the target, and whether it is met.
//
// A benchmark calls `report(name, figures)` at its end: the figures are printed as a table and
// written to bench/output/<name>/figures.json, which bench/run.mjs reads back for the summary.
//
// A figure:
//   { id: 'build.cold',                     stable key, for docs and comparisons
//     label: 'cold build of the standard image (--no-verify)',
//     unit: 's' | 'ms' | 'MiB',             how value and anchor are shown
//     samples: [number…],                   our runs (median is the figure; min–max its spread)
//     anchor?: { label: 'mkosi 14', samples: [number…] },   measured in the same run
//     target: { ratio: 0.8 }                ≤ 0.8 × the anchor's median (needs an anchor)
//           | { max: 110 }                  ≤ 110 in the figure's unit
//           | { ratioOf: 'build.cold', ratio: 0.3 }   ≤ 0.3 × another figure's median
//           | { none: true, why: '…' }      reported, no target
//     note?: 'free text shown under the table' }
// Samples of a figure and its anchor taken alternately pair up: the ratio's spread is the min–max
// of the pairwise ratios when both have the same count, else min(ours)/max(anchor)…max/min.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const outputRoot = join(here, '..', 'output');

export function median(values) {
  const sorted = finiteOnly(values).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Finite numbers only: a failed run is recorded as NaN, which figures.json keeps as null. */
const finiteOnly = (values) => values.filter((v) => typeof v === 'number' && Number.isFinite(v));

function spread(values) {
  const finite = finiteOnly(values);
  return finite.length ? [Math.min(...finite), Math.max(...finite)] : [Number.NaN, Number.NaN];
}

/** The figure's median, spread, ratio to its anchor (with spread), target and verdict. */
export function evaluate(figure, byId = new Map()) {
  const value = median(figure.samples);
  const [low, high] = spread(figure.samples);
  const result = { ...figure, value, low, high };
  if (figure.anchor) {
    const anchor = median(figure.anchor.samples);
    result.anchorValue = anchor;
    result.ratio = value / anchor;
    const ours = figure.samples;
    const theirs = figure.anchor.samples;
    if (ours.length === theirs.length && ours.length > 0) {
      // Pairs where either run failed are left out (null / x would count as 0).
      const pairs = ours
        .map((v, i) => [v, theirs[i]])
        .filter(([a, b]) => finiteOnly([a, b]).length === 2 && b > 0);
      [result.ratioLow, result.ratioHigh] = spread(pairs.map(([a, b]) => a / b));
    } else {
      const [aLow, aHigh] = spread(theirs);
      result.ratioLow = low / aHigh;
      result.ratioHigh = high / aLow;
    }
  }
  const target = figure.target ?? { none: true };
  if (target.ratio !== undefined && target.ratioOf) {
    const other = byId.get(target.ratioOf);
    const base = other ? median(other.samples) : Number.NaN;
    result.limit = base * target.ratio;
    result.targetText = `≤ ${target.ratio} × ${target.ratioOf}`;
    // No figure to compare with (missing, or every run of it failed): no verdict.
    if (Number.isFinite(base) && base > 0) {
      result.ownRatio = value / base;
      result.met = value <= result.limit;
    }
  } else if (target.ratio !== undefined) {
    result.targetText = `≤ ${target.ratio} × anchor`;
    result.met =
      Number.isFinite(result.ratio) && result.anchorValue > 0 ? result.ratio <= target.ratio : undefined;
  } else if (target.max !== undefined) {
    result.targetText = `≤ ${target.max} ${figure.unit}`;
    result.met = value <= target.max;
  } else {
    result.targetText = target.why ? `none (${target.why})` : 'none';
    result.met = undefined;
  }
  if (!Number.isFinite(value)) result.met = undefined;
  return result;
}

function show(value, unit) {
  if (!Number.isFinite(value)) return '—';
  if (unit === 'ms') return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(0)} ms`;
  if (unit === 's') return `${value.toFixed(1)} s`;
  if (unit === 'MiB') return `${value.toFixed(1)} MiB`;
  return `${value.toFixed(2)} ${unit}`;
}

function showRange(low, high, unit) {
  return low === high || !Number.isFinite(low) ? '' : ` (${show(low, unit)}–${show(high, unit)})`;
}

/** Rows for a table: figure, ours, anchor, ratio, target, met. */
export function rows(evaluated) {
  return evaluated.map((f) => {
    const ratio =
      f.ratio !== undefined && Number.isFinite(f.ratio)
        ? `${f.ratio.toFixed(2)}×${Number.isFinite(f.ratioLow) && f.ratioLow !== f.ratioHigh ? ` (${f.ratioLow.toFixed(2)}–${f.ratioHigh.toFixed(2)})` : ''}`
        : f.ownRatio !== undefined && Number.isFinite(f.ownRatio)
          ? `${f.ownRatio.toFixed(2)}× ${f.target.ratioOf}`
          : '';
    return [
      f.label,
      `${show(f.value, f.unit)}${showRange(f.low, f.high, f.unit)}${finiteOnly(f.samples).length > 1 ? ` n=${finiteOnly(f.samples).length}` : ''}`,
      f.anchor ? `${f.anchor.label}: ${show(f.anchorValue, f.unit)}` : '',
      ratio,
      f.targetText,
      f.met === undefined ? '—' : f.met ? 'met' : 'MISSED',
    ];
  });
}

const header = ['figure', 'ours (median, min–max)', 'anchor, same run', 'ratio', 'target', 'met'];

/** A plain-text table (for the terminal) or, with markdown: true, a Markdown table. */
export function table(evaluated, { markdown = false } = {}) {
  const body = rows(evaluated);
  const all = [header, ...body];
  if (markdown) {
    const esc = (cell) => String(cell).replaceAll('|', '\\|');
    return [
      `| ${header.join(' | ')} |`,
      `|${header.map(() => '---').join('|')}|`,
      ...body.map((row) => `| ${row.map(esc).join(' | ')} |`),
    ].join('\n');
  }
  const widths = header.map((_, i) => Math.max(...all.map((row) => String(row[i]).length)));
  return all
    .map((row) =>
      row
        .map((cell, i) => String(cell).padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function evaluateAll(figures) {
  const byId = new Map(figures.map((f) => [f.id, f]));
  return figures.map((f) => evaluate(f, byId));
}

/** Prints the figures of one benchmark and writes bench/output/<name>/figures.json (atomically). */
export function report(name, figures, context = {}) {
  const evaluated = evaluateAll(figures);
  process.stdout.write(`\n${table(evaluated)}\n`);
  for (const f of evaluated) if (f.note) process.stdout.write(`  ${f.label}: ${f.note}\n`);
  const dir = join(outputRoot, name);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'figures.json');
  const temp = `${file}.tmp-${process.pid}`;
  writeFileSync(
    temp,
    `${JSON.stringify({ bench: name, date: new Date().toISOString(), ...context, figures }, null, 2)}\n`,
  );
  renameSync(temp, file);
  return evaluated;
}

/** The figures a benchmark wrote in its last run, or undefined. */
export function readReport(name) {
  try {
    return JSON.parse(readFileSync(join(outputRoot, name, 'figures.json'), 'utf8'));
  } catch {
    return undefined;
  }
}

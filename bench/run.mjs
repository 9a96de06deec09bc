#!/usr/bin/env node
// Runs the benchmarks, each in its own process, then prints one table of every figure: ours, the
// anchor measured in the same run (mkosi, cloud-init, curl, or a floor such as one `git log`), the
// ratio, the target and whether it is met (bench/lib/figures.mjs).
//
//   npm run bench                 every benchmark but the slow opt-in ones (see `optIn`)
//   npm run bench -- catalog boot only these (opt-in ones too)
//   npm run bench -- --table      run nothing: print the table of the latest figures on record
// Other arguments (e.g. --runs 3) go to every benchmark run. The table also lists figures of
// benchmarks not run this time, from their last run, with that run's date. It is written as
// Markdown, with the date and the machine, to bench/output/summary.md (docs/benchmarks.md holds a
// copy).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { evaluateAll, outputRoot, readReport, table } from './lib/figures.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const all = readdirSync(here)
  .filter((name) => name.endsWith('.bench.mjs'))
  .map((name) => name.replace(/\.bench\.mjs$/, ''))
  .sort();
/** Benchmarks that run only when named: they take long or load the machine on purpose. */
const optIn = ['ci', 'busy-boot', 'fuzz'];
/** The order of the summary: the pipeline's order. */
const order = ['build-image', 'boot', 'catalog', 'changelog', 'plan', 'release', 'register', 'ci'];

const args = process.argv.slice(2);
const tableOnly = args.includes('--table');
const wanted = args.filter((arg) => all.includes(arg));
const passed = args.filter((arg) => !all.includes(arg) && arg !== '--table');
// A word that names no benchmark is a typo, not an option for every benchmark ("--runs 3" passes:
// a number after an option).
const unknown = passed.filter(
  (arg, i) => !arg.startsWith('-') && !(/^\d+$/.test(arg) && passed[i - 1]?.startsWith('-')),
);
if (unknown.length > 0 || args.includes('--help') || args.includes('-h')) {
  const stream = unknown.length > 0 ? process.stderr : process.stdout;
  if (unknown.length > 0) stream.write(`bench: no benchmark named ${unknown.join(', ')}\n`);
  stream.write(
    `usage: npm run bench [-- NAME…] [-- --table] [-- OPTION…]\nbenchmarks: ${all.join(', ')} (${optIn.join(', ')} only when named)\n`,
  );
  process.exit(unknown.length > 0 ? 2 : 0);
}
const benches = tableOnly ? [] : wanted.length > 0 ? wanted : all.filter((name) => !optIn.includes(name));

let failed = 0;
const ranNow = new Set();
for (const name of benches) {
  console.log(`\n== ${name} ==`);
  const result = spawnSync(process.execPath, [join(here, `${name}.bench.mjs`), ...passed], {
    stdio: 'inherit',
  });
  if (result.status !== 0) {
    failed++;
    console.log(`== ${name} failed (exit ${result.status ?? result.signal}) ==`);
  } else ranNow.add(name);
}

function kvmState() {
  try {
    return readFileSync('/proc/cpuinfo', 'utf8').match(/\b(vmx|svm)\b/) ? 'KVM possible' : 'TCG (no vmx/svm)';
  } catch {
    return 'unknown';
  }
}

const names = [...order.filter((name) => all.includes(name)), ...all.filter((name) => !order.includes(name))];
const reports = names.map((name) => ({ name, report: readReport(name) })).filter(({ report }) => report);
const figures = [];
const notes = [];
for (const { name, report } of reports) {
  const when =
    typeof report.date === 'string' ? report.date.slice(0, 16).replace('T', ' ') : 'an unknown date';
  if (!Array.isArray(report.figures)) continue;
  if (!ranNow.has(name)) notes.push(`${name}: figures from its last run, ${when} UTC`);
  for (const figure of report.figures) figures.push(figure);
}
if (figures.length === 0) {
  console.log('\nno figures on record yet: run `npm run bench` (or one benchmark by name) first');
  process.exit(failed ? 1 : 0);
}
const evaluated = evaluateAll(figures);
const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${kvmState()}, load average ${loadavg()
  .map((l) => l.toFixed(1))
  .join(' ')} at the end`;
const date = new Date().toISOString().slice(0, 16).replace('T', ' ');
const heading = notes.length
  ? `Printed ${date} UTC on ${machine}; each benchmark's figures are from its own run, dated below.`
  : `Measured ${date} UTC on ${machine}.`;
console.log(`\n== every figure ==\n${heading}\n`);
console.log(table(evaluated));
for (const note of notes) console.log(`  ${note}`);
const met = evaluated.filter((f) => f.met === true).length;
const missed = evaluated.filter((f) => f.met === false).length;
console.log(
  `\n${met} targets met, ${missed} missed, ${evaluated.length - met - missed} without a target or figure`,
);

const markdown = [
  heading,
  '',
  table(evaluated, { markdown: true }),
  '',
  ...notes.map((note) => `- ${note}`),
  ...evaluated.filter((f) => f.note).map((f) => `- ${f.label}: ${f.note}`),
  '',
].join('\n');
mkdirSync(outputRoot, { recursive: true });
const summary = join(outputRoot, 'summary.md');
writeFileSync(`${summary}.tmp-${process.pid}`, markdown);
renameSync(`${summary}.tmp-${process.pid}`, summary);
console.log(`(Markdown: ${summary})`);
process.exit(failed ? 1 : 0);

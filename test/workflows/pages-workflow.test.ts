/** The Pages workflow keeps its safety properties: least privilege, pinned actions, whole history. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { toolkitPath } from '../../tools/lib/paths.js';

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  permissions?: Record<string, string>;
  steps: Step[];
  needs?: string;
}
interface Workflow {
  on: { push: { branches: string[]; paths: string[] } };
  permissions: Record<string, string>;
  jobs: Record<string, Job>;
}

const path = fileURLToPath(new URL('../../.github/workflows/pages.yml', import.meta.url));
const workflow = parse(readFileSync(path, 'utf8')) as Workflow;
const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);

describe('.github/workflows/pages.yml', () => {
  it('runs on pushes to main that touch the catalog', () => {
    expect(workflow.on.push.branches).toEqual(['main']);
    for (const catalog of ['EMI-IDs/**', 'image-ids/**', 'recipes/**', 'data/**'])
      expect(workflow.on.push.paths).toContain(catalog);
  });

  it('runs on pushes to main that touch the renderer: every module emi changelog imports', () => {
    const covered = (file: string) =>
      workflow.on.push.paths.some((glob) =>
        glob.endsWith('/**') ? file.startsWith(glob.slice(0, -2)) : file === glob,
      );
    const seen = new Set<string>();
    const queue = ['tools/cli.ts', 'tools/commands/registry.ts', 'tools/commands/changelog.ts'];
    while (queue.length > 0) {
      const file = queue.pop() as string;
      if (seen.has(file)) continue;
      seen.add(file);
      for (const match of readFileSync(toolkitPath(file), 'utf8').matchAll(/from '(\.[^']+)'/g)) {
        const target = join(dirname(file), (match[1] as string).replace(/\.js$/, '.ts'));
        if (existsSync(toolkitPath(target))) queue.push(target);
      }
    }
    expect(seen.size).toBeGreaterThan(30);
    expect([...seen].filter((file) => !covered(file))).toEqual([]);
    for (const file of ['bin/emi.js', 'package-lock.json', '.github/workflows/pages.yml'])
      expect(covered(file), file).toBe(true);
  });

  it('reads by default and gives only the deploy job what Pages needs', () => {
    expect(workflow.permissions).toEqual({ contents: 'read' });
    expect(workflow.jobs.build?.permissions).toBeUndefined();
    expect(workflow.jobs.deploy?.permissions).toEqual({ pages: 'write', 'id-token': 'write' });
  });

  it('pins every action by a full commit SHA', () => {
    const uses = steps.flatMap((step) => (step.uses ? [step.uses] : []));
    expect(uses.map((use) => use.split('@')[0])).toEqual([
      'actions/checkout',
      'actions/setup-node',
      'actions/configure-pages',
      'actions/upload-pages-artifact',
      'actions/deploy-pages',
    ]);
    for (const use of uses) expect(use).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/);
  });

  it('checks out the whole history without keeping credentials, and builds with npm run', () => {
    const checkout = steps.find((step) => step.uses?.startsWith('actions/checkout@'));
    expect(checkout?.with).toEqual({ 'fetch-depth': 0, 'persist-credentials': false });
    const render = steps.find((step) => step.run?.includes('changelog'));
    expect(render?.run).toBe(
      'npm run changelog -- --out _site --site-url "$SITE_URL" --repository "$GITHUB_REPOSITORY"',
    );
    // Expressions reach the shell through the environment, never pasted into the script.
    for (const step of steps) expect(step.run ?? '').not.toContain('${{');
  });
});

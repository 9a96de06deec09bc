/**
 * The order test files start in (vitest.config.ts): the root group's critical path first, so the
 * long image builds and boots overlap with everything else instead of running after it.
 *
 * - `criticalPath` files start first, in this order: the standard image's build and boot check, and
 *   the scaffolded recipe's build and boot check, which shares the package cache but not the image
 *   (bootstrap's tree lock makes it wait for the package set, then both boot checks run at once).
 * - Then the integration group, larger (slower) files first, as vitest's own sequencer does.
 * - Then the negative boot check, which needs the package cache but not the standard image, and
 *   the rest of the root group (by then the standard image they share is built).
 * - The unit group: vitest starts its one process (isolate: false) before the others whatever
 *   this order says; it takes seconds.
 */
import type { TestSpecification } from 'vitest/node';
import { BaseSequencer } from 'vitest/node';

export const criticalPath = ['test/image-build/build-e2e.test.ts', 'test/recipes/scaffold-build.test.ts'];

const rank = (spec: TestSpecification): number => {
  const path = spec.moduleId.slice(spec.project.config.root.length + 1);
  const critical = criticalPath.indexOf(path);
  if (critical >= 0) return critical;
  if (spec.project.name === 'integration') return 10;
  if (path === 'test/boot-check/verify-negative.test.ts') return 15;
  if (spec.project.name === 'root') return 20;
  return 30;
};

export class CriticalPathSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    // Array.prototype.sort is stable: within a rank, the base sequencer's order stays.
    return sorted
      .map((spec, index) => ({ spec, index }))
      .sort((a, b) => rank(a.spec) - rank(b.spec) || a.index - b.index)
      .map(({ spec }) => spec);
  }
}

/**
 * Shared fixtures: what a test makes in temp folders (a folder, a git repository, an agent world)
 * is removed when that test finishes, passed or failed, through onTestFinished, so no test file
 * keeps a module-level variable and an afterEach for it.
 *
 *   import { it } from '../helpers/fixtures.js';
 *   it('writes…', async ({ tempDir }) => { … });               // a fresh folder for this test
 *   it('commits…', async ({ makeRepo }) => { const repo = await makeRepo({ 'a.txt': 'a' }); … });
 *   it('boots…', async ({ makeWorld }) => { const world = await makeWorld({ instance }); … });
 *
 * Helpers that a test calls can use the functions below (tempDirForTest …) directly: they must be
 * called while a test runs, not in beforeAll.
 */
import { rm } from 'node:fs/promises';
import { test as base, onTestFinished } from 'vitest';
import { type AgentWorld, createAgentWorld, type WorldOptions } from './agent-world.js';
import { createRepo, createTempDir, type TempRepo } from './git-repo.js';

/** A new temp folder, removed with everything in it when the current test finishes. */
export async function tempDirForTest(prefix = 'emi-test-'): Promise<string> {
  const dir = await createTempDir(prefix);
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A temp git repository (createRepo), removed when the current test finishes. */
export async function repoForTest(files: Record<string, string> = {}): Promise<TempRepo> {
  const repo = await createRepo(files);
  onTestFinished(() => repo.cleanup());
  return repo;
}

/** An agent world (createAgentWorld): its emulator stopped and its folder removed when the test finishes. */
export async function worldForTest(options: WorldOptions): Promise<AgentWorld> {
  const world = await createAgentWorld(options);
  onTestFinished(() => world.cleanup());
  return world;
}

export interface Fixtures {
  /** A fresh temp folder for this test. */
  tempDir: string;
  /** More temp folders, each removed when the test finishes. */
  makeTempDir: typeof tempDirForTest;
  makeRepo: typeof repoForTest;
  makeWorld: typeof worldForTest;
}

export const test = base.extend<Fixtures>({
  // vitest reads the fixtures a fixture depends on from its first parameter's pattern.
  // biome-ignore lint/correctness/noEmptyPattern: this one depends on none
  tempDir: async ({}, use) => {
    await use(await tempDirForTest());
  },
  // biome-ignore lint/correctness/noEmptyPattern: this one depends on none
  makeTempDir: async ({}, use) => {
    await use(tempDirForTest);
  },
  // biome-ignore lint/correctness/noEmptyPattern: this one depends on none
  makeRepo: async ({}, use) => {
    await use(repoForTest);
  },
  // biome-ignore lint/correctness/noEmptyPattern: this one depends on none
  makeWorld: async ({}, use) => {
    await use(worldForTest);
  },
});

export const it = test;

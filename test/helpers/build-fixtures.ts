/** Recipes and catalogs for builder tests, loaded the way emi build loads them. */
import { worktreeReader } from '../../tools/lib/tree-reader.js';
import { type LoadedRecipe, loadRecipes } from '../../tools/recipes/load-recipes.js';
import { createRepo, type TempRepo } from './git-repo.js';

export const builderRecipe = `description: A test recipe
distribution: debian
release: bookworm
updates: true
lines:
  - image_name: euca-debian-emi
    arches: [x86_64, i386]
    rootfs_size: 1300M
  - image_name: euca-large-debian-emi
    arches: [x86_64, i386]
    rootfs_size: 4500M
packages:
  add: [systemd, openssh-server, curl]
  remove: [tzdata]
kernel:
  x86_64: linux-image-cloud-amd64
  i386: linux-image-686
overlays: [overlay]
hooks: [hooks/tune.sh]
services:
  enable: [ssh.service]
`;

export const builderRecipeFiles: Record<string, string> = {
  'recipes/debian-based/recipe.yaml': builderRecipe,
  'recipes/debian-based/overlay/etc/motd': 'welcome\n',
  'recipes/debian-based/hooks/tune.sh': '#!/bin/sh\ntrue\n',
  'recipes/common/overlay/etc/emi-agent.conf': 'endpoint=http://169.254.169.254\n',
};

/** A temp catalog repository with the files, and its recipes loaded. */
export async function loadFixture(
  files: Record<string, string> = builderRecipeFiles,
): Promise<{ repo: TempRepo; recipes: Map<string, LoadedRecipe>; problems: string[] }> {
  const repo = await createRepo(files);
  const set = await loadRecipes(worktreeReader(repo.dir));
  return {
    repo,
    recipes: set.recipes,
    problems: set.problems.map(
      (problem) => `${problem.file}:${problem.line} ${problem.path} ${problem.message}`,
    ),
  };
}

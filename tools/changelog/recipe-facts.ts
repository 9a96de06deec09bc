/**
 * What a recipe says about the images of one line, for the "use this image" box: the distribution
 * and release it builds from and the line's root size. Read from the recipe as it stood at the
 * release's commit; a recipe that does not parse gives nothing (validate reports it). Pure.
 */
import { parse as parseYaml } from 'yaml';
import type { Base } from '../schemas/generated/latest.js';

export interface RecipeFacts {
  base: Base | null;
  rootSize: string | null;
}

/** Release numbers of the code names a recipe may give, for people who know them by number. */
const releaseNumbers: Record<string, Record<string, string>> = {
  debian: {
    buster: '10',
    bullseye: '11',
    bookworm: '12',
    trixie: '13',
    forky: '14',
  },
  ubuntu: {
    focal: '20.04 LTS',
    jammy: '22.04 LTS',
    noble: '24.04 LTS',
    plucky: '25.04',
    questing: '25.10',
  },
};

const distributionTitles: Record<string, string> = { debian: 'Debian', ubuntu: 'Ubuntu' };

/** `debian`, `bookworm` → `Debian 12 (bookworm)`; an unknown code name stays as it is. */
export function baseTitle(distribution: string, release: string): string {
  const name = distributionTitles[distribution] ?? distribution;
  const number = releaseNumbers[distribution]?.[release];
  return number === undefined ? `${name} ${release}` : `${name} ${number} (${release})`;
}

export function recipeFactsOf(text: string, imageName: string | null): RecipeFacts {
  let recipe: unknown;
  try {
    recipe = parseYaml(text);
  } catch {
    return { base: null, rootSize: null };
  }
  const { distribution, release, lines } = (recipe ?? {}) as Record<string, unknown>;
  const base =
    typeof distribution === 'string' && typeof release === 'string'
      ? { distribution, release, title: baseTitle(distribution, release) }
      : null;
  let rootSize: string | null = null;
  if (Array.isArray(lines) && imageName !== null) {
    for (const line of lines as unknown[]) {
      const { image_name: name, rootfs_size: size } = (line ?? {}) as Record<string, unknown>;
      if (name === imageName && (typeof size === 'string' || typeof size === 'number')) {
        rootSize = String(size);
        break;
      }
    }
  }
  return { base, rootSize };
}

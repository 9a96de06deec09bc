/**
 * The package manifest of an image: one `name<TAB>version` line per installed package, sorted by
 * name in byte order, as `dpkg-query -W` prints it. The changelog diffs these between releases.
 */
import { UserError } from '../lib/errors.js';

export interface InstalledPackage {
  name: string;
  version: string;
}

const namePattern = /^[a-z0-9][a-z0-9+.-]+(:[a-z0-9-]+)?$/;
const versionPattern = /^[A-Za-z0-9.+~:-]+$/;

export function parsePackageManifest(text: string): InstalledPackage[] {
  const packages: InstalledPackage[] = [];
  for (const [index, line] of text.split('\n').entries()) {
    if (line === '') continue;
    const [name = '', version = '', ...rest] = line.split('\t');
    // dpkg-query -W lists packages that are known but not installed with an empty version.
    if (version === '' && rest.length === 0 && namePattern.test(name)) continue;
    if (rest.length > 0 || !namePattern.test(name) || !versionPattern.test(version))
      throw new UserError(`dpkg-query line ${index + 1} is not "name<TAB>version": ${JSON.stringify(line)}`);
    packages.push({ name, version });
  }
  return packages;
}

export function renderPackageManifest(packages: readonly InstalledPackage[]): string {
  const sorted = [...packages].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return sorted.map((pkg) => `${pkg.name}\t${pkg.version}\n`).join('');
}

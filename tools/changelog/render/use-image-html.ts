/**
 * The "use this image" box that opens a current line's page and card: the facts an operator picks
 * an image by, each file with its size, sha256 and release download link, SHA256SUMS and the one
 * command that fetches and checks it all. Pure.
 */
import type { Latest, Line } from '../../schemas/generated/changelog.js';
import { escapeHtml, type Html, link, time } from './html.js';
import { imageDateText } from './text.js';

/** 1363148800 → `1.27 GiB`; bytes below 1 KiB as they are. */
export function sizeText(bytes: number): string {
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  if (bytes < 1024) return `${bytes} B`;
  let value = bytes;
  let unit = -1;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${value.toFixed(digits)} ${units[unit]}`;
}

/** `1300M` → `1300 MB` as recipes give it (sizes in the recipe are mkfs sizes). */
function rootSizeText(size: string): string {
  const match = /^(\d+)([KMGT])$/.exec(size);
  return match ? `${match[1]} ${match[2]}iB` : size;
}

function fact(term: string, value: Html): Html {
  return `<div><dt>${term}</dt><dd>${value}</dd></div>`;
}

/** The facts a user picks an image by, in one definition list: a label and its value a row. */
export function imageFactsHtml(line: Line): Html {
  const latest: Latest = line.latest;
  const rows: Html[] = [];
  if (latest.image_version !== null)
    rows.push(fact('Version', `<strong>${escapeHtml(latest.image_version)}</strong>`));
  const built = imageDateText(latest.image_date);
  if (built !== null) rows.push(fact('Built', time(latest.built_at ?? undefined, built)));
  const about = [
    ...(latest.base === null ? [] : [escapeHtml(latest.base.title)]),
    ...(latest.root_size === null ? [] : [`${escapeHtml(rootSizeText(latest.root_size))} root`]),
    escapeHtml(line.image_arch),
  ];
  rows.push(fact('Image', about.join(', ')));
  rows.push(fact('Status', `<span class="status-${line.status}">${line.status}</span>`));
  return `<dl class="facts">\n${rows.join('\n')}\n</dl>`;
}

export interface UseImageOptions {
  /** '' on the index, '../' on a line page. */
  root: string;
  /**
   * The line page's box: each file by name with its size and sha256. The index's card is compact:
   * each file by its kind (.img, .tgz, ...) with its size; SHA256SUMS holds the checksums.
   */
  full: boolean;
  /** The box's heading: its level, id and content. */
  heading: { level: 2 | 3; id: string; html: Html };
}

/** What each kind of file is, for the line page's box. */
const fileKinds: Record<string, string> = {
  '.img': 'the root filesystem image',
  '.tgz': 'the image with its kernel and initrd, as a sparse tarball (the Eucalyptus layout)',
  '.vmlinuz': 'the kernel',
  '.initrd': 'the initial ramdisk',
  '.packages': 'the package list: name and version of every installed package',
  '.verify.json': 'the boot check’s report',
};

/** The part of a file name after the image's base name: `.img`, `.tgz`, `.vmlinuz`. */
function kindOf(name: string, base: string | null): string {
  if (base !== null && name.startsWith(base) && name.length > base.length) return name.slice(base.length);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot) : name;
}

/** The box, or '' for a line with no files (imported, or recorded before records listed artifacts). */
export function useImageHtml(line: Line, options: UseImageOptions): Html {
  const { latest } = line;
  if (latest.artifacts.length === 0) return '';
  const base = latest.image_file?.replace(/\.[^.]+$/, '') ?? null;
  const files = latest.artifacts.map((artifact) => {
    const label = options.full
      ? `<code>${escapeHtml(artifact.name)}</code>`
      : escapeHtml(kindOf(artifact.name, base));
    const file = artifact.url ? link(artifact.url, label) : label;
    const size = `<span class="size">${escapeHtml(sizeText(artifact.size))}</span>`;
    if (!options.full) return `<li>${file} ${size}</li>`;
    const sum = `<span class="sha256"><span class="label">sha256</span> <code>${escapeHtml(artifact.sha256)}</code></span>`;
    const what = fileKinds[kindOf(artifact.name, base)];
    const about = what === undefined ? '' : `<span class="about">${escapeHtml(what)}</span>`;
    return `<li><span class="file">${file}</span> ${size}${about}${sum}</li>`;
  });
  const extra: Html[] = [];
  if (latest.sha256sums_url !== null)
    extra.push(link(`${options.root}${latest.sha256sums_url}`, 'SHA256SUMS'));
  extra.push(link(`${options.root}lines/${line.id}/latest.json`, 'latest.json'));
  if (latest.release_url !== null)
    extra.push(
      link(latest.release_url, options.full ? `Release ${escapeHtml(latest.release_tag ?? '')}` : 'Release'),
    );
  const fetch =
    latest.fetch_command === null
      ? ''
      : `${options.full ? '<p class="fetch-label">Download every file and check it against SHA256SUMS:</p>\n' : ''}<pre class="fetch"><code>${escapeHtml(latest.fetch_command)}</code></pre>`;
  const { level, id, html } = options.heading;
  return `<section class="use-image" aria-labelledby="${escapeHtml(id)}">
<h${level} id="${escapeHtml(id)}">${html}</h${level}>
${imageFactsHtml(line)}
<ul class="files${options.full ? '' : ' compact'}">
${files.join('\n')}
</ul>
<p class="file-links">${extra.join(' · ')}</p>
${fetch}
</section>`;
}

/**
 * Where a release is registered (emi register): per cloud, the IDs of the machine image, its kernel
 * and its ramdisk, and when, as the original EMI-IDs listed each EMI with its EKI and ERI. Shown in
 * the "use this image" box and in release entries. Pure.
 */
import type { Registration } from '../../schemas/generated/changelog.js';
import { escapeHtml, type Html, time } from './html.js';

/** `2026-12-01T02:11:20Z` → `2026-12-01 02:11 UTC`; anything else as it is. */
export function registeredAtText(at: string): string {
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}):\d{2}Z$/.exec(at);
  return match ? `${match[1]} ${match[2]} UTC` : at;
}

const id = (label: string, value: string) =>
  `<span class="reg-id"><span class="label">${label}</span> <code>${escapeHtml(value)}</code></span>`;

/**
 * The list, or '' when there is none. Compact (the index's cards): each cloud with its machine
 * image's ID; otherwise each cloud with the three IDs and the registration time.
 */
export function registrationsHtml(registrations: readonly Registration[], compact = false): Html {
  if (registrations.length === 0) return '';
  const items = registrations.map((entry) => {
    const cloud = `<strong class="cloud">${escapeHtml(entry.cloud)}</strong>`;
    if (compact) return `<li>${cloud} ${id('image', entry.image_id)}</li>`;
    const when = time(
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(entry.registered_at) ? entry.registered_at : undefined,
      registeredAtText(entry.registered_at),
    );
    return `<li>${cloud} <span class="muted">registered ${when}</span> ${id('Image', entry.image_id)} ${id('Kernel', entry.kernel_id)} ${id('Ramdisk', entry.ramdisk_id)}</li>`;
  });
  return `<div class="registrations"><p><span class="label">Registered in</span> ${registrations.length === 1 ? 'one cloud' : `${registrations.length} clouds`}:</p>
<ul class="registrations${compact ? ' compact' : ''}">
${items.join('\n')}
</ul></div>`;
}

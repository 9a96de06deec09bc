/**
 * The original catalog (Eucalyptus-Scripts' EMI-IDs and every version in its history, with the git
 * log), kept verbatim in test/fixtures/legacy/ so tests never depend on a folder outside the checkout.
 */
import { toolkitPath } from '../../tools/lib/paths.js';

export function legacyDataDir(): string {
  return toolkitPath('test', 'fixtures', 'legacy');
}

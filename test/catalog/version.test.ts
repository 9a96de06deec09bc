import { describe, expect, it } from 'vitest';
import { compareVersions, isRealDay, nextVersion, parseVersion } from '../../tools/catalog/version.js';

describe('image_version', () => {
  it('parses the day and the extra release number', () => {
    expect(parseVersion('2026.11.26')).toEqual({ day: '2026.11.26', extra: 0 });
    expect(parseVersion('2026.11.26.12')).toEqual({ day: '2026.11.26', extra: 12 });
    for (const bad of [
      '2026.1.26',
      '2026.11.26.0',
      '2026.11.26.01',
      '26.11.26',
      '2026-11-26',
      '2026.11.26.',
    ]) {
      expect(parseVersion(bad), bad).toBeUndefined();
    }
  });

  it('orders by day, then by extra release', () => {
    expect(compareVersions('2026.11.26', '2026.11.26.1')).toBeLessThan(0);
    expect(compareVersions('2026.11.26.2', '2026.11.26.10')).toBeLessThan(0);
    expect(compareVersions('2026.11.27', '2026.11.26.10')).toBeGreaterThan(0);
    expect(compareVersions('2026.11.26', '2026.11.26')).toBe(0);
    expect(compareVersions('x', '2026.11.26')).toBeUndefined();
  });

  it('numbers extra releases of a day', () => {
    expect(nextVersion('2026.11.26', undefined)).toBe('2026.11.26');
    expect(nextVersion('2026.11.26', '2026.11.25.3')).toBe('2026.11.26');
    expect(nextVersion('2026.11.26', '2026.11.26')).toBe('2026.11.26.1');
    expect(nextVersion('2026.11.26', '2026.11.26.9')).toBe('2026.11.26.10');
  });

  it('knows real days', () => {
    expect(isRealDay('2024.02.29')).toBe(true);
    expect(isRealDay('2025.02.29')).toBe(false);
    expect(isRealDay('2025.04.31')).toBe(false);
  });
});

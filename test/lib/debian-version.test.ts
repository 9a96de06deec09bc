import { describe, expect, it } from 'vitest';
import { compareDebianVersions } from '../../tools/lib/debian-version.js';

// `+ 0` turns -0 into 0 (toBe tells them apart).
const sign = (value: number) => Math.sign(value) + 0;

describe('compareDebianVersions', () => {
  it.each([
    ['1.0', '1.0', 0],
    ['1.0', '1.1', -1],
    ['1.10', '1.9', 1],
    ['1.0~rc1', '1.0', -1],
    ['1.0~rc1', '1.0~rc2', -1],
    ['1.0', '1.0+b1', -1],
    ['2.36-9', '2.36-10', -1],
    ['1:1.0', '2.0', 1],
    ['7.88.1-10', '7.88.1-10+deb12u5', -1],
    ['1.0a', '1.0', 1],
    ['001', '1', 0],
    ['9.2p1-2', '9.2p1-2', 0],
  ])('%s vs %s', (a, b, expected) => {
    expect(sign(compareDebianVersions(a, b))).toBe(expected);
    expect(sign(compareDebianVersions(b, a))).toBe(-expected + 0);
  });
});

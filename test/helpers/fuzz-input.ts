/**
 * A small seeded fuzzer for text formats: a PRNG (mulberry32) and mutations that break YAML,
 * key="value" catalogs and manifests the ways people and tools do (bytes flipped, lines cut,
 * duplicated or swapped, hostile tokens, huge and deep values, other encodings). The same seed gives
 * the same inputs, so a failure found in CI can be replayed: the failing input's seed and index are
 * in the test's message.
 */

export type Random = () => number;

export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
const int = (random: Random, max: number) => Math.floor(random() * max);

/** Tokens that have broken parsers and checkers before. */
const tokens = [
  ': ',
  '- ',
  '"',
  "'",
  '\\',
  '\0',
  '\r\n',
  '\t',
  '#',
  '&a ',
  '*a',
  '<<: *a',
  '!!binary ',
  '!!js/function ',
  '? ',
  '{',
  '}',
  '[',
  ']',
  '---\n',
  '...\n',
  '%YAML 1.1\n',
  '../',
  '/etc/passwd',
  '$(reboot)',
  '`id`',
  '1e400',
  '-1',
  '0x10',
  '9223372036854775808',
  'NaN',
  '.inf',
  'null',
  '~',
  'true',
  'yes',
  '2026-12-01',
  '\u202e',
  '\ufeff',
  '\u00e9',
  '\ud83d\ude00',
  '\x1b[2J',
  '=',
  '="x"',
  'image_name=',
  'image_stamp="zzzz-zzzz"',
  '.tgz',
  '\n\n\n',
];

function mutateOnce(random: Random, text: string): string {
  const at = int(random, text.length + 1);
  const lines = text.split('\n');
  switch (int(random, 12)) {
    case 0: // flip a character
      return text.slice(0, at) + String.fromCharCode(int(random, 0x80)) + text.slice(at + 1);
    case 1: // insert a token
      return text.slice(0, at) + pick(random, tokens) + text.slice(at);
    case 2: // delete a range
      return text.slice(0, at) + text.slice(at + int(random, 40));
    case 3: {
      // duplicate a line
      const index = int(random, lines.length);
      lines.splice(index, 0, lines[index] ?? '');
      return lines.join('\n');
    }
    case 4: {
      // swap two lines
      const a = int(random, lines.length);
      const b = int(random, lines.length);
      [lines[a], lines[b]] = [lines[b] ?? '', lines[a] ?? ''];
      return lines.join('\n');
    }
    case 5: // cut the file short
      return text.slice(0, at);
    case 6: // a long value
      return `${text.slice(0, at)}${'x'.repeat(1 + int(random, 20000))}${text.slice(at)}`;
    case 7: // deep nesting
      return `${text.slice(0, at)}${'['.repeat(1 + int(random, 3000))}${text.slice(at)}`;
    case 8: // change a line's indentation
      {
        const index = int(random, lines.length);
        lines[index] = ' '.repeat(int(random, 6)) + (lines[index] ?? '').trimStart();
        return lines.join('\n');
      }
    case 9: // replace a value with a token
      {
        const index = int(random, lines.length);
        const line = lines[index] ?? '';
        const colon = Math.max(line.indexOf(': '), line.indexOf('='));
        lines[index] = colon < 0 ? pick(random, tokens) : line.slice(0, colon + 1) + pick(random, tokens);
        return lines.join('\n');
      }
    case 10: // remove a line
      lines.splice(int(random, lines.length), 1);
      return lines.join('\n');
    default: // random printable garbage
      return (
        text.slice(0, at) +
        Array.from({ length: 1 + int(random, 30) }, () => String.fromCharCode(32 + int(random, 95))).join(
          '',
        ) +
        text.slice(at)
      );
  }
}

/** A mutated copy of `seed`: one to eight mutations; sometimes as bytes (UTF-16, random binary). */
export function mutate(random: Random, seed: string): Uint8Array {
  let text = seed;
  const rounds = 1 + int(random, 8);
  for (let i = 0; i < rounds; i++) text = mutateOnce(random, text);
  const roll = random();
  if (roll < 0.03) return Buffer.from(`\ufeff${text}`, 'utf16le');
  if (roll < 0.06) return Uint8Array.from({ length: 1 + int(random, 4096) }, () => int(random, 256));
  if (roll < 0.08) return Buffer.from(text, 'latin1');
  return Buffer.from(text, 'utf8');
}

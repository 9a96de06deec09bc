/**
 * Reads the original single-file catalog (Eucalyptus-Scripts' EMI-IDs): a heading line per image
 * ("debian large x86_64 6:"), then either `key="value"` lines or, in older blocks, the .tgz files
 * with `date` and `stamp` lines. Values are recognised by their shape, because one block swaps the
 * two labels. Pure: text in, blocks with their line numbers and defects out.
 */

export interface LegacyHeading {
  text: string;
  line: number;
  distro?: string;
  large: boolean;
  arch?: string;
  osVersion?: string;
}

export interface LegacyValue {
  value: string;
  line: number;
  column: number;
}

export interface LegacyBlock {
  heading: LegacyHeading;
  kind: 'fields' | 'files';
  /** key="value" blocks: each key's value (the first one, if a key repeats). */
  fields: Map<string, LegacyValue>;
  /** Short-form blocks: the listed files, and the values of the date and stamp lines by label. */
  files: LegacyValue[];
  labelled: { label: string; value: LegacyValue }[];
  defects: LegacyDefect[];
  /** First and last line of the block. */
  lines: [number, number];
}

export interface LegacyDefect {
  line: number;
  column: number;
  field: string;
  message: string;
}

const headingPattern = /^(\S[^=]*?):\s*$/;
const fieldPattern = /^(\s*)([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/;
const filePattern = /^\s+([A-Za-z0-9][A-Za-z0-9._-]*\.(?:tgz|tar\.gz|img))\s*$/;
const labelledPattern = /^(\s+)(date|stamp)\s+(\S+)\s*$/;
const knownArches = ['x86_64', 'i386', 'amd64', 'aarch64'];

export function parseHeading(text: string, line: number): LegacyHeading {
  const words = text.trim().toLowerCase().split(/\s+/);
  const arch = words.find((word) => knownArches.includes(word));
  const osVersion = words.find((word) => /^\d+(\.\d+)*$/.test(word));
  const distro = words.find(
    (word) => /^[a-z]+$/.test(word) && word !== 'large' && !knownArches.includes(word),
  );
  return {
    text: text.trim(),
    line,
    large: words.includes('large'),
    ...(distro ? { distro } : {}),
    ...(arch ? { arch: arch === 'amd64' ? 'x86_64' : arch } : {}),
    ...(osVersion ? { osVersion } : {}),
  };
}

export function parseLegacyCatalog(text: string): LegacyBlock[] {
  const blocks: LegacyBlock[] = [];
  let current: LegacyBlock | undefined;
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  for (const [index, raw] of lines.entries()) {
    const number = index + 1;
    if (raw.trim() === '') continue;
    const indented = /^\s/.test(raw);
    if (!indented) {
      const heading = headingPattern.exec(raw);
      if (heading) {
        current = {
          heading: parseHeading(heading[1] as string, number),
          kind: 'fields',
          fields: new Map(),
          files: [],
          labelled: [],
          defects: [],
          lines: [number, number],
        };
        blocks.push(current);
      } else {
        // Prose (the file's introduction) ends any block.
        current = undefined;
      }
      continue;
    }
    if (!current) {
      // Indented text under prose (the introduction's URL) is part of the prose.
      continue;
    }
    current.lines[1] = number;
    const field = fieldPattern.exec(raw);
    if (field) {
      const column = (field[1] as string).length + 1;
      const key = field[2] as string;
      let value = field[3] as string;
      if (value.startsWith('"')) {
        if (value.length >= 2 && value.endsWith('"')) value = value.slice(1, -1);
        else {
          value = value.slice(1);
          current.defects.push({
            line: number,
            column,
            field: key,
            message: `missing closing quote in ${key}="${value}`,
          });
        }
      } else {
        current.defects.push({ line: number, column, field: key, message: `${key} is not quoted` });
      }
      if (current.fields.has(key)) {
        current.defects.push({
          line: number,
          column,
          field: key,
          message: `${key} appears twice in the block; the first one is kept`,
        });
      } else {
        current.fields.set(key, { value, line: number, column: column + key.length + 1 });
      }
      continue;
    }
    const file = filePattern.exec(raw);
    if (file) {
      current.kind = 'files';
      current.files.push({
        value: file[1] as string,
        line: number,
        column: raw.indexOf(file[1] as string) + 1,
      });
      continue;
    }
    const labelled = labelledPattern.exec(raw);
    if (labelled) {
      current.kind = 'files';
      current.labelled.push({
        label: labelled[2] as string,
        value: {
          value: labelled[3] as string,
          line: number,
          column: raw.indexOf(labelled[3] as string, (labelled[1] as string).length + 4) + 1,
        },
      });
      continue;
    }
    current.defects.push({
      line: number,
      column: 1,
      field: '',
      message: `line not understood: "${raw.trim().slice(0, 60)}"`,
    });
  }
  for (const block of blocks) {
    if (block.fields.size > 0 && (block.files.length > 0 || block.labelled.length > 0)) {
      block.defects.push({
        line: block.heading.line,
        column: 1,
        field: '',
        message: 'block mixes key="value" lines with file/date/stamp lines',
      });
    }
  }
  return blocks;
}

export const isStampShape = (value: string) => /^[0-9a-f]{4}-[0-9a-f]{4}$/.test(value);
export const isDateShape = (value: string) => /^[0-9]{14}$/.test(value);

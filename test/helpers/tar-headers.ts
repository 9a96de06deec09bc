/** Reads the member headers of a gzip'd tar, to tell how a member is stored (GNU sparse is 'S'). */
import { gunzipSync } from 'node:zlib';

export interface TarMember {
  name: string;
  /** The header's typeflag: '0' a file, '5' a folder, 'S' a GNU sparse file … */
  typeflag: string;
  /** Bytes stored in the archive for it (for a sparse member, only its data). */
  stored: number;
}

export function tarMembers(tgz: Buffer): TarMember[] {
  const tar = gunzipSync(tgz);
  const members: TarMember[] = [];
  const text = (start: number, end: number) =>
    tar.subarray(start, end).toString('utf8').replace(/\0.*$/s, '');
  for (let offset = 0; offset + 512 <= tar.length; ) {
    const name = text(offset, offset + 100);
    if (name === '') break;
    const stored = Number.parseInt(text(offset + 124, offset + 136).trim() || '0', 8);
    members.push({ name, typeflag: String.fromCharCode(tar[offset + 156] ?? 0), stored });
    offset += 512 + Math.ceil(stored / 512) * 512;
  }
  return members;
}

/**
 * Fault injection for the metadata emulator: which fault applies to a request, and the generated
 * bodies (huge, binary, gzip bomb) streamed in chunks so that 100 MiB or more costs no memory.
 */
import { gzipSync } from 'node:zlib';
import type { Fault } from './instance.js';

export function faultMatches(fault: Fault, method: string, path: string): boolean {
  if (fault.method !== undefined && fault.method !== method) return false;
  if (fault.path === '*') return true;
  if (fault.path.endsWith('*')) return path.startsWith(fault.path.slice(0, -1));
  return path === fault.path;
}

/** Counts uses so that `times: N` faults apply to the first N matching requests only. */
export class FaultBook {
  private readonly used = new Map<number, number>();
  constructor(private readonly faults: readonly Fault[]) {}

  /** The first fault that matches and still has uses left; its use is counted. */
  take(method: string, path: string): Fault | undefined {
    for (const [index, fault] of this.faults.entries()) {
      if (!faultMatches(fault, method, path)) continue;
      const used = this.used.get(index) ?? 0;
      if (fault.times !== undefined && used >= fault.times) continue;
      this.used.set(index, used + 1);
      return fault;
    }
    return undefined;
  }
}

/** A short description for the request log, e.g. `status 503`, `hang`, `gzip-bomb 1073741824`. */
export function describeFault(fault: Fault): string {
  const parts: string[] = [];
  if (fault.hang) parts.push('hang');
  if (fault.reset) parts.push('reset');
  if (fault.delay_ms !== undefined) parts.push(`delay ${fault.delay_ms}ms`);
  if (fault.status !== undefined) parts.push(`status ${fault.status}`);
  if (fault.retry_after !== undefined) parts.push(`retry-after ${fault.retry_after}`);
  if (fault.body_kind !== undefined) parts.push(`${fault.body_kind} ${fault.size ?? defaultSize}`);
  else if (fault.body !== undefined) parts.push('body');
  if (fault.drip_ms !== undefined) parts.push(`drip ${fault.drip_ms}ms`);
  if (fault.truncate) parts.push('truncate');
  return parts.join(', ') || 'none';
}

const defaultSize = 1024 * 1024;
const chunkSize = 64 * 1024;

/** A body that is produced chunk by chunk: its length is known up front for Content-Length. */
export interface GeneratedBody {
  length: number;
  chunks(): Generator<Buffer>;
}

export function bufferBody(buffer: Buffer): GeneratedBody {
  return {
    length: buffer.length,
    *chunks() {
      for (let offset = 0; offset < buffer.length; offset += chunkSize)
        yield buffer.subarray(offset, Math.min(buffer.length, offset + chunkSize));
    },
  };
}

function repeatBody(pattern: Buffer, size: number): GeneratedBody {
  return {
    length: size,
    *chunks() {
      for (let offset = 0; offset < size; offset += pattern.length)
        yield offset + pattern.length <= size ? pattern : pattern.subarray(0, size - offset);
    },
  };
}

const megabyte = 1024 * 1024;
let bombMember: Buffer | undefined;

/**
 * A gzip stream that expands to `size` zero bytes: gzip members of 1 MiB of zeros (about 1 KiB
 * each) one after another, which gzip -d reads as one file. Cheap to make at any size.
 */
function gzipBomb(size: number): GeneratedBody {
  bombMember ??= gzipSync(Buffer.alloc(megabyte), { level: 9 });
  const member = bombMember;
  const whole = Math.floor(size / megabyte);
  const tail = size % megabyte === 0 ? undefined : gzipSync(Buffer.alloc(size % megabyte), { level: 9 });
  return {
    length: whole * member.length + (tail?.length ?? 0),
    *chunks() {
      const batch = Math.max(1, Math.floor(chunkSize / member.length));
      const joined = Buffer.concat(Array.from({ length: batch }, () => member));
      let left = whole;
      while (left >= batch) {
        yield joined;
        left -= batch;
      }
      for (; left > 0; left--) yield member;
      if (tail) yield tail;
    },
  };
}

/** The generated body of a fault with `body_kind`. */
export function generatedBody(kind: NonNullable<Fault['body_kind']>, size = defaultSize): GeneratedBody {
  switch (kind) {
    case 'huge':
      return repeatBody(Buffer.alloc(chunkSize, 'A'), size);
    case 'binary':
      return repeatBody(Buffer.from(Array.from({ length: chunkSize }, (_, index) => index % 256)), size);
    case 'gzip-bomb':
      return gzipBomb(size);
  }
}

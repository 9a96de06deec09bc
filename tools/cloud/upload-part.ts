/**
 * One part's upload: create the image, stream its bytes to PUT /file while computing SHA-512 and
 * SHA-256, wait until Glance says active, then check Glance's size and os_hash_value against ours
 * and ours against the record. Any failure (a mismatch, a broken stream, Ctrl-C) deletes the image
 * it created, so only a killed run can leave one behind (the next run removes it).
 */
import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';
import { IntegrityError } from './cloud-errors.js';
import type { GlanceClient, GlanceImage } from './glance-client.js';
import type { ImagePart } from './image-sources.js';

export interface UploadProgress {
  role: ImagePart['role'];
  id: string;
  bytes: number;
  total?: number;
}

export interface UploadResult {
  image: GlanceImage;
  bytes: number;
  sha512: string;
  ms: number;
}

class Meter extends Transform {
  bytes = 0;
  readonly sha512 = createHash('sha512');
  readonly sha256 = createHash('sha256');
  constructor(private readonly onBytes: (bytes: number) => void) {
    super({ highWaterMark: 4 * 1024 * 1024 });
  }
  override _transform(
    chunk: Buffer,
    _encoding: BufferEncoding,
    done: (error?: Error | null, data?: Buffer) => void,
  ) {
    this.sha512.update(chunk);
    this.sha256.update(chunk);
    this.bytes += chunk.length;
    this.onBytes(this.bytes);
    done(null, chunk);
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until the image leaves saving (the PUT normally returns once it is active). */
async function waitActive(glance: GlanceClient, id: string, timeoutMs: number): Promise<GlanceImage> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 100; ; delay = Math.min(delay * 2, 2000)) {
    const image = await glance.getImage(id);
    if (image.status !== 'saving' && image.status !== 'queued') return image;
    if (Date.now() > deadline) return image;
    await pause(delay);
  }
}

export async function uploadPart(
  glance: GlanceClient,
  part: ImagePart,
  fields: Record<string, unknown>,
  options: { signal?: AbortSignal; onProgress?: (progress: UploadProgress) => void } = {},
): Promise<UploadResult> {
  const started = Date.now();
  const created = await glance.createImage(fields);
  try {
    const { stream, size } = await part.open(options.signal);
    const total = size ?? part.expected?.size;
    let reported = 0;
    const meter = new Meter((bytes) => {
      if (bytes - reported < 64 * 1024 * 1024) return;
      reported = bytes;
      options.onProgress?.({ role: part.role, id: created.id, bytes, ...(total ? { total } : {}) });
    });
    stream.on('error', (error) => meter.destroy(error));
    await glance.uploadImageData(created.id, stream.pipe(meter), size, options.signal);
    const sha512 = meter.sha512.digest('hex');
    const sha256 = meter.sha256.digest('hex');
    const image = await waitActive(glance, created.id, 5 * 60 * 1000);
    const what = `${part.file} (${created.id})`;
    if (image.status !== 'active')
      throw new IntegrityError(`${what}: Glance left the image ${image.status} after the upload`);
    if (image.size !== meter.bytes)
      throw new IntegrityError(`${what}: Glance stored ${image.size} bytes, ${meter.bytes} were sent`);
    const ours = image.os_hash_algo === 'sha256' ? sha256 : sha512;
    if (image.os_hash_algo !== 'sha512' && image.os_hash_algo !== 'sha256')
      throw new IntegrityError(
        `${what}: Glance computed no sha512 or sha256 multihash (os_hash_algo ${image.os_hash_algo}): the upload cannot be verified`,
      );
    if (image.os_hash_value !== ours)
      throw new IntegrityError(
        `${what}: Glance's ${image.os_hash_algo} ${image.os_hash_value} differs from the ${ours} of the bytes sent`,
      );
    if (part.expected && (part.expected.size !== meter.bytes || part.expected.sha256 !== sha256))
      throw new IntegrityError(
        `${what}: the data from ${part.origin} (${meter.bytes} bytes, sha256 ${sha256}) is not what the record lists (${part.expected.size} bytes, ${part.expected.sha256})`,
      );
    return { image, bytes: meter.bytes, sha512, ms: Date.now() - started };
  } catch (error) {
    await glance.deleteImage(created.id).catch(() => undefined);
    throw error;
  }
}

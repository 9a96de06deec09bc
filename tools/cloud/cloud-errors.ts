/**
 * The errors of the cloud stage: what Glance or Keystone answered, translated into ours at the
 * boundary (status and method kept, the request itself never: it can hold a token), and the
 * redaction that keeps every secret out of any text we print.
 */
import { UserError } from '../lib/errors.js';

/** Glance (or Keystone) answered with an error status. */
export class CloudApiError extends UserError {
  override name = 'CloudApiError';
  readonly status: number;
  readonly method: string;
  /** The path of the request (no query string, no host): safe to print. */
  readonly path: string;
  constructor(service: string, method: string, path: string, status: number, detail: string) {
    super(`${service}: ${method} ${path} failed with HTTP ${status}${detail ? `: ${detail}` : ''}`);
    this.status = status;
    this.method = method;
    this.path = path;
  }
}

/** The image (or another resource) is not there (HTTP 404). */
export class CloudNotFoundError extends CloudApiError {
  override name = 'CloudNotFoundError';
}

/** The credentials were refused or do not allow this (HTTP 401/403). */
export class CloudAuthError extends CloudApiError {
  override name = 'CloudAuthError';
}

/** The service could not be reached at all (connection refused, DNS, TLS, timeout). */
export class CloudUnreachableError extends UserError {
  override name = 'CloudUnreachableError';
}

/** The uploaded data does not match what was sent: Glance's hash or size differ from ours. */
export class IntegrityError extends UserError {
  override name = 'IntegrityError';
}

/** The text of an error body, short and on one line (Glance answers with HTML or JSON). */
export function errorDetail(body: string): string {
  let text = body;
  try {
    const parsed = JSON.parse(body) as Record<string, unknown>;
    const inner = Object.values(parsed)[0] as { message?: unknown } | undefined;
    if (parsed.error && typeof parsed.error === 'object') {
      const message = (parsed.error as { message?: unknown }).message;
      if (typeof message === 'string') text = message;
    } else if (inner && typeof inner.message === 'string') text = inner.message;
  } catch {
    text = body.replace(/<title>[^<]*<\/title>/i, '').replace(/<[^>]*>/g, ' ');
  }
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

/**
 * Replaces every secret (passwords, tokens, application credential secrets) in a text. Secrets
 * shorter than 4 characters are replaced too: a leak of a short secret is still a leak.
 */
export function redactSecrets(text: string, secrets: Iterable<string>): string {
  let out = text;
  const sorted = [...new Set(secrets)]
    .filter((secret) => secret.length > 0)
    .sort((a, b) => b.length - a.length);
  for (const secret of sorted) out = out.split(secret).join('[redacted]');
  return out;
}

/** The same error with every secret removed from its message (and from its causes' messages). */
export function redactError(error: unknown, secrets: readonly string[]): unknown {
  if (secrets.length === 0 || !(error instanceof Error)) return error;
  const clean = redactSecrets(error.message, secrets);
  if (clean !== error.message) error.message = clean;
  if (error.stack) error.stack = redactSecrets(error.stack, secrets);
  if (error.cause !== undefined) redactError(error.cause, secrets);
  return error;
}

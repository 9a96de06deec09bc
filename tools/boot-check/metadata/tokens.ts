/**
 * IMDSv2 session tokens: `PUT /latest/api/token` with X-aws-ec2-metadata-token-ttl-seconds
 * (1 to 21600) gives a token; data requests send it as X-aws-ec2-metadata-token.
 */
import { randomBytes } from 'node:crypto';

export const tokenHeader = 'x-aws-ec2-metadata-token';
export const ttlHeader = 'x-aws-ec2-metadata-token-ttl-seconds';

export type TokenState = 'none' | 'valid' | 'invalid';

interface Token {
  expires: number;
  usesLeft: number;
}

export class TokenStore {
  private readonly tokens = new Map<string, Token>();
  constructor(
    private readonly maxTtl: number,
    private readonly uses: number | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  /** The TTL header's value as EC2 checks it: a whole number from 1 to 21600, else undefined. */
  static parseTtl(value: string | undefined): number | undefined {
    if (value === undefined || !/^[0-9]{1,5}$/.test(value.trim())) return undefined;
    const ttl = Number(value.trim());
    return ttl >= 1 && ttl <= 21600 ? ttl : undefined;
  }

  issue(ttl: number): { token: string; ttl: number } {
    const granted = Math.min(ttl, this.maxTtl);
    // AWS tokens are 56 characters of base64; ours look alike so clients size buffers the same.
    const token = `AQAEA${randomBytes(38).toString('base64url').slice(0, 51)}`;
    this.tokens.set(token, {
      expires: this.now() + granted * 1000,
      usesLeft: this.uses ?? Number.POSITIVE_INFINITY,
    });
    return { token, ttl: granted };
  }

  /** Checks a token sent with a data request; a valid one uses one of its uses. */
  check(value: string | undefined): TokenState {
    if (value === undefined) return 'none';
    const token = this.tokens.get(value.trim());
    if (!token) return 'invalid';
    if (token.expires <= this.now() || token.usesLeft <= 0) return 'invalid';
    token.usesLeft--;
    return 'valid';
  }
}

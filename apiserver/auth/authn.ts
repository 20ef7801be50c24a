/**
 * The authentication chain, transport-neutral (HTTP headers or gRPC metadata): each
 * authenticator recognizes credentials or has no opinion; presented but unknown credentials are
 * 401; a request without credentials is system:anonymous when anonymous auth is enabled.
 */
import { timingSafeEqual } from 'node:crypto';
import { ApiError } from '../../lib/errors.js';
import type { UserInfo } from '../registry/types.js';

/** Request headers (lower-case names), as Node's IncomingHttpHeaders or flattened gRPC metadata. */
export type AuthHeaders = Record<string, string | string[] | undefined>;

/** One way to recognize a caller; returns undefined when the credentials are not its kind. */
export interface Authenticator {
  name: string;
  authenticate(headers: AuthHeaders): UserInfo | undefined | Promise<UserInfo | undefined>;
}

/** The user of requests without credentials (kube-apiserver --anonymous-auth). */
export const ANONYMOUS: UserInfo = { username: 'system:anonymous', groups: ['system:unauthenticated'] };

/** The bearer token of a request, if any. */
export function bearerToken(headers: AuthHeaders): string | undefined {
  const raw = headers.authorization;
  const value = Array.isArray(raw) ? raw[0] : raw;
  const m = value ? /^Bearer\s+(\S+)\s*$/i.exec(value) : null;
  return m?.[1];
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Accepts one static admin token (e.g. `--token` of `kubesim up`), mapping it to `user`. */
export function staticTokenAuthenticator(token: string, user: UserInfo = { username: 'admin', uid: 'admin', groups: ['system:masters', 'system:authenticated'] }): Authenticator {
  if (!token) throw new Error('static token must not be empty');
  return {
    name: 'StaticToken',
    authenticate: (headers) => {
      const presented = bearerToken(headers);
      return presented && sameSecret(presented, token) ? user : undefined;
    },
  };
}

/** Runs authenticators in order; the first that recognizes the caller wins. */
export class AuthenticationChain {
  constructor(private readonly authenticators: Authenticator[], private readonly anonymous = true) {}

  /** The caller, or 401 Unauthorized for unknown credentials (or none, with anonymous off). */
  async authenticate(headers: AuthHeaders): Promise<UserInfo> {
    for (const a of this.authenticators) {
      const user = await a.authenticate(headers);
      if (user) return user;
    }
    const presented = headers.authorization !== undefined;
    if (!presented && this.anonymous) return ANONYMOUS;
    throw new ApiError('Unauthorized', 'Unauthorized');
  }
}

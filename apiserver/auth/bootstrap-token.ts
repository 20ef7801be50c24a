/**
 * Bootstrap tokens (kubeadm join's `<id>.<secret>`): a Secret `bootstrap-token-<id>` in
 * kube-system of type bootstrap.kubernetes.io/token with token-id, token-secret, optional
 * expiration (RFC 3339), usage-bootstrap-authentication=true and auth-extra-groups
 * (system:bootstrappers:...). A matching, unexpired token authenticates as
 * system:bootstrap:<id> in group system:bootstrappers.
 */
import { timingSafeEqual } from 'node:crypto';
import type { KObject } from '../../lib/api/object.js';
import type { UserInfo } from '../registry/types.js';

/** The Secret type of bootstrap tokens. */
export const BOOTSTRAP_TOKEN_TYPE = 'bootstrap.kubernetes.io/token';
const TOKEN = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;

/** What a bootstrap token Secret says (decoded). */
export interface BootstrapToken { id: string; secret: string; expiration?: string; authentication: boolean; extraGroups: string[]; deleting: boolean }

/** The bootstrap token of a Secret, or null when the Secret is not a valid one. */
export function bootstrapTokenOf(secret: KObject): BootstrapToken | null {
  const s = secret as KObject & { type?: string; data?: Record<string, string> };
  if (s.type !== BOOTSTRAP_TOKEN_TYPE || s.metadata?.namespace !== 'kube-system') return null;
  const get = (k: string) => (s.data?.[k] !== undefined ? Buffer.from(s.data[k], 'base64').toString('utf8') : undefined);
  const id = get('token-id');
  const tokenSecret = get('token-secret');
  // The name must agree with the id, as the bootstrap signer and authenticator require.
  if (!id || !tokenSecret || s.metadata?.name !== `bootstrap-token-${id}`) return null;
  const extraGroups = (get('auth-extra-groups') ?? '').split(',').map((g) => g.trim()).filter(Boolean);
  return { id, secret: tokenSecret, expiration: get('expiration'), authentication: get('usage-bootstrap-authentication') === 'true', extraGroups, deleting: !!s.metadata?.deletionTimestamp };
}

/** The user of `token` when `lookup(id)` finds a valid, unexpired bootstrap token for it. */
export function authenticateBootstrapToken(token: string, lookup: (id: string) => BootstrapToken | null | undefined, now = Date.now()): UserInfo | undefined {
  const m = TOKEN.exec(token);
  if (!m) return undefined;
  const t = lookup(m[1]);
  if (!t || !t.authentication || t.deleting) return undefined;
  const a = Buffer.from(t.secret);
  const b = Buffer.from(m[2]);
  if (a.length !== b.length || !timingSafeEqual(a, b)) return undefined;
  if (t.expiration) {
    const exp = Date.parse(t.expiration);
    if (!Number.isFinite(exp) || exp <= now) return undefined;
  }
  // Kubernetes ignores extra groups outside system:bootstrappers: (a token must not claim system:masters).
  const extra = t.extraGroups.filter((g) => /^system:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]$/.test(g));
  return { username: `system:bootstrap:${t.id}`, groups: [...new Set(['system:bootstrappers', ...extra, 'system:authenticated'])] };
}

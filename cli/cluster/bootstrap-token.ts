/**
 * Bootstrap tokens for joining nodes (kubeadm token create): a Secret bootstrap-token-<id> in
 * kube-system with the token's id and secret, an expiration, usage-bootstrap-authentication and
 * kubeadm's node group. The kubelet presents `<id>.<secret>` only to ask for its client
 * certificate (system:node-bootstrapper); the controller manager's tokencleaner deletes it once
 * it has expired.
 */
import { randomInt } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
/** The group kubeadm's join tokens carry beside system:bootstrappers. */
export const NODE_TOKEN_GROUP = 'system:bootstrappers:kubeadm:default-node-token';

function random(n: number): string {
  return Array.from({ length: n }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
}

/** The bootstrap token Secret for `<id>.<secret>` (stringData, as kubeadm writes it). */
export function bootstrapTokenSecret(id: string, secret: string, expiration: Date, description: string): Record<string, unknown> {
  return {
    apiVersion: 'v1', kind: 'Secret', type: 'bootstrap.kubernetes.io/token',
    metadata: { name: `bootstrap-token-${id}`, namespace: 'kube-system' },
    stringData: {
      description, 'token-id': id, 'token-secret': secret, expiration: expiration.toISOString().replace(/\.\d+Z$/, 'Z'),
      'usage-bootstrap-authentication': 'true', 'usage-bootstrap-signing': 'true', 'auth-extra-groups': NODE_TOKEN_GROUP,
    },
  };
}

/**
 * Creates a bootstrap token valid for `ttlSeconds` through the apiserver at `apiURL` (the local
 * admin port); resolves with `<id>.<secret>`.
 */
export async function createBootstrapToken(apiURL: string, ttlSeconds: number, description: string): Promise<string> {
  const id = random(6);
  const secret = random(16);
  const res = await fetch(`${apiURL}/api/v1/namespaces/kube-system/secrets`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify(bootstrapTokenSecret(id, secret, new Date(Date.now() + ttlSeconds * 1000), description)),
  });
  if (!res.ok) throw new Error(`creating bootstrap token: ${res.status} ${await res.text()}`);
  return `${id}.${secret}`;
}

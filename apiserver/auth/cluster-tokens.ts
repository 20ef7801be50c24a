/**
 * The token authenticators that read cluster state: ServiceAccount JWTs (valid only while their
 * ServiceAccount and bound pod exist with the uids in the token; legacy Secret-bound ones only
 * while their Secret holds them) and bootstrap tokens (Secrets in kube-system). Both read live mirrors of the registry, loaded before the apiserver serves, so
 * authentication stays synchronous. Also answers TokenRequest with pod bindings checked.
 */
import { timingSafeEqual } from 'node:crypto';
import type { KObject } from '../../lib/api/object.js';
import type { Registry, RequestContext, UserInfo } from '../registry/types.js';
import { RegistryMirror } from './registry-mirror.js';
import type { ServiceAccountTokens } from './sa-token.js';
import { tokenRequestIssuer, type BoundPod } from './token-request.js';
import { authenticateBootstrapToken, bootstrapTokenOf, type BootstrapToken } from './bootstrap-token.js';

const core = (resource: string) => ({ group: '', version: 'v1', resource });

/** Options: the ServiceAccount token issuer/verifier, and whether bootstrap tokens authenticate. */
export interface ClusterTokenOptions { serviceAccountTokens?: ServiceAccountTokens; bootstrapTokens?: boolean }

/** Authenticators and the TokenRequest hook backed by registry mirrors; start() before serving. */
export class ClusterTokens {
  private pods?: RegistryMirror<BoundPod>;
  private accounts?: RegistryMirror<string | undefined>;
  private bootstrap?: RegistryMirror<BootstrapToken | null>;
  private secrets?: RegistryMirror<SecretBinding>;

  constructor(private readonly o: ClusterTokenOptions) {}

  /** The registry's issueToken option (undefined without a signing key). */
  issueToken(): ((sa: KObject, request: KObject, ctx?: RequestContext) => KObject) | undefined {
    const tokens = this.o.serviceAccountTokens;
    return tokens ? tokenRequestIssuer(tokens, () => (this.pods ? (ns, name) => this.pods!.get(ns, name) : undefined),
      () => (this.secrets ? (ns, name) => this.secrets!.get(ns, name) : undefined)) : undefined;
  }

  /** Loads the mirrors and arms the bound-object check; follows changes until `signal` aborts. */
  async start(registry: Registry, signal: AbortSignal): Promise<void> {
    const tokens = this.o.serviceAccountTokens;
    if (tokens) {
      this.pods = new RegistryMirror<BoundPod>(registry, { ref: core('pods'), project: podBinding });
      this.accounts = new RegistryMirror<string | undefined>(registry, { ref: core('serviceaccounts'), project: (o) => o.metadata?.uid });
      // Secrets: uids for Secret-bound tokens, and the token a legacy token Secret holds.
      this.secrets = new RegistryMirror<SecretBinding>(registry, { ref: core('secrets'), project: secretBinding });
      await Promise.all([this.pods.start(signal), this.accounts.start(signal), this.secrets.start(signal)]);
      const pods = this.pods;
      const accounts = this.accounts;
      const secrets = this.secrets;
      tokens.boundObjectCheck = (k) => {
        const saUid = accounts.get(k.namespace, k.serviceaccount.name);
        if (!accounts.has(k.namespace, k.serviceaccount.name) || (k.serviceaccount.uid && saUid !== k.serviceaccount.uid)) return false;
        if (k.secret) {
          const secret = secrets.get(k.namespace, k.secret.name);
          if (!secret || (k.secret.uid && secret.uid !== k.secret.uid)) return false;
        }
        if (!k.pod) return true;
        const pod = pods.get(k.namespace, k.pod.name);
        return !!pod && (!k.pod.uid || pod.uid === k.pod.uid);
      };
      // Legacy Secret-bound tokens never expire: valid only while their Secret holds them.
      tokens.legacyTokenCheck = (c, token) => {
        const ns = c['kubernetes.io/serviceaccount/namespace'];
        const secret = secrets.get(ns, c['kubernetes.io/serviceaccount/secret.name']);
        if (!secret?.token || secret.deleting || !sameToken(secret.token, token)) return false;
        const name = c['kubernetes.io/serviceaccount/service-account.name'];
        return secret.account === name && accounts.has(ns, name) && accounts.get(ns, name) === c['kubernetes.io/serviceaccount/service-account.uid'];
      };
    }
    if (this.o.bootstrapTokens) {
      this.bootstrap = new RegistryMirror<BootstrapToken | null>(registry, { ref: core('secrets'), namespace: 'kube-system', project: bootstrapTokenOf });
      await this.bootstrap.start(signal);
    }
  }

  /** The bearer-token authenticators, in the order kube-apiserver tries them. */
  authenticators(): ((token: string) => UserInfo | undefined)[] {
    const out: ((token: string) => UserInfo | undefined)[] = [];
    const tokens = this.o.serviceAccountTokens;
    if (tokens) out.push((t) => tokens.authenticate(t));
    const bootstrap = this.bootstrap;
    if (bootstrap) out.push((t) => authenticateBootstrapToken(t, (id) => bootstrap.get('kube-system', `bootstrap-token-${id}`)));
    return out;
  }
}

/** What token checks keep of a Secret: its uid, and for a legacy token Secret the token it holds. */
interface SecretBinding { uid?: string; deleting: boolean; token?: string; account?: string }

function secretBinding(o: KObject): SecretBinding {
  const out: SecretBinding = { uid: o.metadata?.uid, deleting: !!o.metadata?.deletionTimestamp };
  const token = (o as { data?: Record<string, string> }).data?.token;
  if ((o as { type?: string }).type === 'kubernetes.io/service-account-token' && token) {
    out.token = Buffer.from(token, 'base64').toString();
    out.account = o.metadata?.annotations?.['kubernetes.io/service-account.name'];
  }
  return out;
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function podBinding(o: KObject): BoundPod {
  const spec = (o.spec ?? {}) as { nodeName?: string; serviceAccountName?: string };
  return { uid: o.metadata?.uid, nodeName: spec.nodeName, serviceAccountName: spec.serviceAccountName };
}

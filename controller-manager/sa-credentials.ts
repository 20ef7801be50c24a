/**
 * `--use-service-account-credentials` (client-go's DynamicControllerClientBuilder): each
 * controller talks to the apiserver as its own ServiceAccount in kube-system. The controller
 * manager's identity creates the account when missing and asks a token for it (TokenRequest,
 * one hour), renewed at 80 % of its lifetime; a failed request is retried every few seconds
 * (while an old token still works).
 */
import type { ApiClient } from '../lib/client/api-client.js';
import { isApiError } from '../lib/errors.js';
import { clientLog } from '../lib/client/log.js';
import type { KObject } from '../lib/api/object.js';

/** Where the controllers' accounts live, as in Kubernetes. */
export const CONTROLLER_NAMESPACE = 'kube-system';

/** Controller name (`--controllers`) → the ServiceAccount in kube-system it acts as (bound to ClusterRole system:controller:<account>). */
export const CONTROLLER_ACCOUNTS: Record<string, string> = {
  replicaset: 'replicaset-controller',
  replicationcontroller: 'replication-controller',
  deployment: 'deployment-controller',
  statefulset: 'statefulset-controller',
  daemonset: 'daemon-set-controller',
  job: 'job-controller',
  cronjob: 'cronjob-controller',
  endpoints: 'endpoint-controller',
  endpointslice: 'endpointslice-controller',
  namespace: 'namespace-controller',
  serviceaccount: 'service-account-controller',
  'root-ca-cert-publisher': 'root-ca-cert-publisher',
  garbagecollector: 'generic-garbage-collector',
  nodelifecycle: 'node-controller',
  podgc: 'pod-garbage-collector',
  persistentvolume: 'persistent-volume-binder',
  'pvc-protection': 'pvc-protection-controller',
  'pv-protection': 'pv-protection-controller',
  servicelb: 'service-controller',
  horizontalpodautoscaling: 'horizontal-pod-autoscaler',
  csrsigning: 'certificate-controller',
  csrapproving: 'certificate-controller',
  csrcleaner: 'certificate-controller',
  tokencleaner: 'token-cleaner',
};

interface Held { token?: string; timer?: NodeJS.Timeout; refreshing?: boolean; lastRefresh?: number }

/** Per-controller clients presenting ServiceAccount tokens; start() fetches the first ones. */
export class ServiceAccountClients {
  private readonly held = new Map<string, Held>();
  private signal?: AbortSignal;

  constructor(private readonly root: ApiClient, private readonly o: { expirationSeconds?: number; retryMs?: number } = {}) {}

  /** The client of ServiceAccount kube-system/`name` (its token arrives with start()). */
  client(name: string): ApiClient {
    if (!this.held.has(name)) this.held.set(name, {});
    return this.root.withToken(() => this.held.get(name)?.token, () => this.refused(name));
  }

  /**
   * A call with `name`'s token was refused (its account was deleted and recreated, the signing
   * key changed, ...): ask a fresh token now rather than at the next renewal, at most every 5 s.
   */
  private refused(name: string): void {
    const h = this.held.get(name);
    if (!h || !this.signal || this.signal.aborted || h.refreshing || Date.now() - (h.lastRefresh ?? 0) < (this.o.retryMs ?? 5000)) return;
    clearTimeout(h.timer);
    clientLog('info', 'a controller\'s token was refused; asking a fresh one', { serviceAccount: name });
    void this.refresh(name);
  }

  /**
   * Ensures every account asked for so far and gets its first token (retried every few seconds
   * while the apiserver refuses or is away); renews until `signal` aborts.
   */
  async start(signal: AbortSignal): Promise<void> {
    this.signal = signal;
    signal.addEventListener('abort', () => { for (const h of this.held.values()) clearTimeout(h.timer); }, { once: true });
    await Promise.all([...this.held.keys()].map(async (name) => {
      for (;;) {
        try {
          await this.refresh(name, true);
          return;
        } catch (err) {
          if (signal.aborted) return;
          clientLog('warn', 'waiting for a controller\'s ServiceAccount token', { serviceAccount: name, error: (err as Error).message });
          await new Promise((r) => setTimeout(r, this.o.retryMs ?? 5000));
        }
      }
    }));
  }

  private async ensureAccount(name: string): Promise<void> {
    const ref = { resource: 'serviceaccounts', namespace: CONTROLLER_NAMESPACE };
    try {
      await this.root.get({ ...ref, name });
    } catch (err) {
      if (!isApiError(err, 'NotFound')) throw err;
      await this.root.create(ref, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: CONTROLLER_NAMESPACE } } as KObject)
        .catch((e) => { if (!isApiError(e, 'AlreadyExists')) throw e; });
    }
  }

  /** Gets a fresh token for `name` and schedules the next renewal; `first` rethrows failures. */
  private async refresh(name: string, first = false): Promise<void> {
    const h = this.held.get(name)!;
    if (this.signal?.aborted) return;
    let nextMs: number;
    h.refreshing = true;
    h.lastRefresh = Date.now();
    try {
      await this.ensureAccount(name);
      const req = { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', metadata: {}, spec: { audiences: [], expirationSeconds: this.o.expirationSeconds ?? 3600 } } as KObject;
      const res = await this.root.create({ resource: 'serviceaccounts', namespace: CONTROLLER_NAMESPACE, name, subresource: 'token' }, req);
      const status = res.status as { token: string; expirationTimestamp: string };
      h.token = status.token;
      const lifetime = Date.parse(status.expirationTimestamp) - Date.now();
      nextMs = Math.max(1000, lifetime * 0.8);
    } catch (err) {
      if (first) throw new Error(`--use-service-account-credentials: no token for ${CONTROLLER_NAMESPACE}/${name}: ${(err as Error).message}`);
      clientLog('warn', 'could not renew a controller\'s ServiceAccount token', { serviceAccount: name, error: (err as Error).message });
      nextMs = this.o.retryMs ?? 5000;
    } finally {
      h.refreshing = false;
    }
    if (this.signal?.aborted) return;
    h.timer = setTimeout(() => { void this.refresh(name); }, nextMs);
    h.timer.unref();
  }
}

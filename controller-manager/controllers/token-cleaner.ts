/**
 * tokencleaner (kube-controller-manager's bootstrap token cleaner): deletes bootstrap token
 * Secrets (type bootstrap.kubernetes.io/token in kube-system) once their `expiration` has passed,
 * so a join token that was never used does not linger. Each token is looked at again when it
 * expires (addAfter), not by polling.
 */
import type { KObject } from '../../lib/api/object.js';
import type { ApiClient } from '../../lib/client/api-client.js';
import type { InformerFactory, SharedInformer } from '../../lib/client/informer.js';
import { clientLog } from '../../lib/client/log.js';
import { WorkQueue, runWorkers } from '../../lib/client/workqueue.js';
import { isApiError } from '../../lib/errors.js';

const NAMESPACE = 'kube-system';
const TYPE = 'bootstrap.kubernetes.io/token';

type Secret = KObject & { type?: string; data?: Record<string, string> };

/** The expiry (ms since epoch) of a bootstrap token Secret, or undefined when it has none or is no such Secret. */
export function bootstrapTokenExpiry(s: Secret): number | undefined {
  if (s.type !== TYPE || s.metadata?.namespace !== NAMESPACE || !s.data?.expiration) return undefined;
  const t = Date.parse(Buffer.from(s.data.expiration, 'base64').toString('utf8'));
  return Number.isFinite(t) ? t : undefined;
}

/** The tokencleaner controller. */
export class TokenCleaner {
  readonly queue = new WorkQueue({ name: 'token_cleaner' });
  private readonly secrets: SharedInformer<Secret>;

  constructor(informers: InformerFactory, private readonly client: ApiClient) {
    // Only kube-system's Secrets: the cleaner's role is a Role there (its own informer, as Kubernetes').
    this.secrets = informers.informerFor<Secret>({ resource: 'secrets', namespace: NAMESPACE });
    const enqueue = (s: Secret) => { if (s.type === TYPE && s.metadata?.namespace === NAMESPACE) this.queue.add(s.metadata.name!); };
    this.secrets.addEventHandler({ onAdd: enqueue, onUpdate: (_o, s) => enqueue(s) });
  }

  /** Runs workers until signal aborts. */
  run(workers: number, signal: AbortSignal): Promise<void> {
    return runWorkers(this.queue, workers, (key) => this.sync(key), signal, (key, err) => clientLog('warn', 'token cleanup failed', { secret: `${NAMESPACE}/${key}`, err: String((err as Error)?.message ?? err) }));
  }

  /** Deletes token Secret `name` when it has expired; otherwise looks again when it does. */
  async sync(name: string): Promise<void> {
    const s = this.secrets.lister.get(NAMESPACE, name);
    const expiry = s && !s.metadata?.deletionTimestamp ? bootstrapTokenExpiry(s) : undefined;
    if (expiry === undefined) return;
    const left = expiry - Date.now();
    if (left > 0) { this.queue.addAfter(name, left + 100); return; }
    try {
      await this.client.delete({ resource: 'secrets', namespace: NAMESPACE, name }, { preconditions: { uid: s!.metadata!.uid } });
      clientLog('info', 'deleted expired bootstrap token', { secret: `${NAMESPACE}/${name}` });
    } catch (err) {
      if (!isApiError(err, 'NotFound') && !isApiError(err, 'Conflict')) throw err;
    }
  }
}

/**
 * ServiceAccount token controller (kube-controller-manager's serviceaccount-token, run with the
 * controller manager's own identity as in Kubernetes): a Secret of type
 * kubernetes.io/service-account-token annotated `kubernetes.io/service-account.name` gets a
 * legacy, non-expiring token signed with --service-account-private-key-file, with `ca.crt` and
 * `namespace`, and the account's uid in `kubernetes.io/service-account.uid`. A token Secret whose
 * ServiceAccount is gone (or was recreated with another uid) is deleted. The apiserver accepts
 * such a token only while its Secret exists and holds it, so deleting the Secret revokes it.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import type { KObject } from '../../lib/api/object.js';
import type { ApiClient } from '../../lib/client/api-client.js';
import type { InformerFactory, SharedInformer } from '../../lib/client/informer.js';
import { WorkQueue, runWorkers } from '../../lib/client/workqueue.js';
import { isApiError } from '../../lib/errors.js';
import { legacyServiceAccountToken } from '../../lib/api/service-account-jwt.js';

export const SA_TOKEN_TYPE = 'kubernetes.io/service-account-token';
const NAME = 'kubernetes.io/service-account.name';
const UID = 'kubernetes.io/service-account.uid';

type Secret = KObject & { type?: string; data?: Record<string, string> };
const b64 = (s: string) => Buffer.from(s).toString('base64');

/** The token controller; `privateKeyPem` is --service-account-private-key-file, `rootCA` --root-ca-file. */
export class ServiceAccountTokenController {
  readonly queue = new WorkQueue({ name: 'serviceaccount-token' });
  private readonly secrets: SharedInformer<Secret>;
  private readonly accounts: SharedInformer;
  private readonly key: KeyObject;

  constructor(informers: InformerFactory, private readonly client: ApiClient, privateKeyPem: string, private readonly rootCA?: string) {
    this.key = createPrivateKey(privateKeyPem);
    this.secrets = informers.informerFor<Secret>({ resource: 'secrets' });
    this.accounts = informers.informerFor({ resource: 'serviceaccounts' });
    const secret = (s: Secret) => { if (s.type === SA_TOKEN_TYPE) this.queue.add(`${s.metadata!.namespace}/${s.metadata!.name}`); };
    this.secrets.addEventHandler({ onAdd: secret, onUpdate: (_o, s) => secret(s) });
    // An account going away (or coming back) revisits the token Secrets that name it.
    const account = (sa: KObject) => {
      for (const s of this.secrets.lister.byIndex('namespace', sa.metadata!.namespace!)) {
        if (s.type === SA_TOKEN_TYPE && s.metadata?.annotations?.[NAME] === sa.metadata!.name) secret(s);
      }
    };
    this.accounts.addEventHandler({ onAdd: account, onDelete: account });
  }

  /** Runs workers until signal aborts. */
  run(workers: number, signal: AbortSignal): Promise<void> {
    return runWorkers(this.queue, workers, (key) => this.sync(key), signal);
  }

  /** Fills (or deletes) token Secret `namespace/name`. */
  async sync(key: string): Promise<void> {
    const [namespace, name] = key.split('/');
    const s = this.secrets.lister.get(namespace, name);
    if (!s || s.type !== SA_TOKEN_TYPE || s.metadata?.deletionTimestamp) return;
    const accountName = s.metadata?.annotations?.[NAME];
    if (!accountName) return;
    const sa = this.accounts.lister.get(namespace, accountName);
    const wantUid = s.metadata?.annotations?.[UID];
    if (!sa || (wantUid && wantUid !== sa.metadata?.uid)) {
      // The account is gone: so is its token (Kubernetes deletes the Secret).
      await this.client.delete({ resource: 'secrets', namespace, name }, { preconditions: { uid: s.metadata!.uid } })
        .catch((err) => { if (!isApiError(err, 'NotFound') && !isApiError(err, 'Conflict')) throw err; });
      return;
    }
    const data = s.data ?? {};
    if (data.token && wantUid && data.namespace && (!this.rootCA || data['ca.crt'])) return;
    const next = structuredClone(s);
    next.metadata!.annotations = { ...next.metadata!.annotations, [UID]: sa.metadata!.uid! };
    next.data = {
      ...data,
      token: data.token ?? b64(legacyServiceAccountToken(this.key, namespace, accountName, sa.metadata!.uid!, name)),
      namespace: b64(namespace),
      ...(this.rootCA ? { 'ca.crt': b64(this.rootCA) } : {}),
    };
    await this.client.update({ resource: 'secrets', namespace }, next).catch((err) => {
      if (!isApiError(err, 'NotFound') && !isApiError(err, 'Conflict')) throw err;
      if (isApiError(err, 'Conflict')) this.queue.add(key);
    });
  }
}

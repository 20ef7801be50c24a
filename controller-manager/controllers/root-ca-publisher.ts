/**
 * Root CA publisher (kube-controller-manager's root-ca-cert-publisher): every active namespace
 * gets the ConfigMap `kube-root-ca.crt` whose `ca.crt` is the cluster CA (--root-ca-file), so
 * pods can verify the apiserver through their kube-api-access volume; the ConfigMap is recreated
 * when deleted and rewritten when edited. Without --root-ca-file the CA of the controller
 * manager's kubeconfig is published (as kube-controller-manager falls back to its client CA);
 * without either the controller publishes nothing.
 */
import type { KObject } from '../../lib/api/object.js';
import type { ApiClient } from '../../lib/client/api-client.js';
import type { InformerFactory, SharedInformer } from '../../lib/client/informer.js';
import { WorkQueue, runWorkers } from '../../lib/client/workqueue.js';
import { isApiError } from '../../lib/errors.js';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';

/** Name of the published ConfigMap. */
export const ROOT_CA_CONFIGMAP = 'kube-root-ca.crt';
/** Annotation Kubernetes puts on it (the cluster's API server may be reached with it). */
const DESCRIPTION = 'kubernetes.io/description';
const DESCRIPTION_TEXT = 'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.';

/** The RootCAPublisher controller. */
export class RootCAPublisher {
  readonly queue = new WorkQueue({ name: 'root_ca_cert_publisher' });
  private readonly namespaces: SharedInformer;
  private readonly configMaps: SharedInformer;

  constructor(informers: InformerFactory, private readonly client: ApiClient, private readonly rootCA: string | undefined) {
    this.namespaces = informers.informerFor({ resource: 'namespaces' });
    this.configMaps = informers.informerFor({ resource: 'configmaps' });
    const byNamespace = (o: KObject) => this.queue.add(o.metadata!.namespace!);
    const ours = (o: KObject) => o.metadata?.name === ROOT_CA_CONFIGMAP;
    this.namespaces.addEventHandler({ onAdd: (ns) => this.queue.add(ns.metadata!.name!), onUpdate: (_o, ns) => this.queue.add(ns.metadata!.name!) });
    this.configMaps.addEventHandler({
      onUpdate: (_o, cm) => { if (ours(cm)) byNamespace(cm); },
      onDelete: (cm) => { if (ours(cm)) byNamespace(cm); },
    });
  }

  /** Runs workers until signal aborts (returns at once without a CA to publish). */
  run(workers: number, signal: AbortSignal): Promise<void> {
    if (!this.rootCA) return Promise.resolve();
    return runWorkers(this.queue, workers, (key) => this.sync(key), signal);
  }

  /** Converges namespace `name`'s kube-root-ca.crt. */
  async sync(name: string): Promise<void> {
    const ns = this.namespaces.lister.get(undefined, name);
    if (!this.rootCA || !ns || ns.metadata?.deletionTimestamp || (ns.status as { phase?: string } | undefined)?.phase === 'Terminating') return;
    const data = { 'ca.crt': this.rootCA };
    const cur = this.configMaps.lister.get(name, ROOT_CA_CONFIGMAP) as (KObject & { data?: Record<string, string> }) | undefined;
    const tolerated = (err: unknown) => {
      // A namespace being deleted refuses new content; a concurrent writer wins and we see its object next.
      if (!isApiError(err, 'AlreadyExists') && !isApiError(err, 'Forbidden') && !isApiError(err, 'NotFound') && !isApiError(err, 'Conflict')) throw err;
    };
    if (!cur) {
      const obj = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: ROOT_CA_CONFIGMAP, namespace: name, annotations: { [DESCRIPTION]: DESCRIPTION_TEXT } }, data };
      await this.client.create({ resource: 'configmaps', namespace: name }, obj as KObject).catch(tolerated);
      return;
    }
    if (cur.data?.['ca.crt'] === this.rootCA && Object.keys(cur.data).length === 1) return;
    const next = structuredClone(cur);
    next.data = data;
    await this.client.update({ resource: 'configmaps', namespace: name }, next).catch(tolerated);
  }
}

interface KubeconfigClusters {
  'current-context'?: string;
  contexts?: { name: string; context: { cluster: string } }[];
  clusters?: { name: string; cluster: { 'certificate-authority-data'?: string; 'certificate-authority'?: string } }[];
}

/** The CA (PEM) of the current cluster of a kubeconfig, or undefined when it names none. */
export function caFromKubeconfig(path: string): string | undefined {
  const kc = parseYaml(readFileSync(path, 'utf8')) as KubeconfigClusters;
  const ctx = kc.contexts?.find((c) => c.name === kc['current-context'])?.context ?? kc.contexts?.[0]?.context;
  const cluster = kc.clusters?.find((c) => c.name === ctx?.cluster)?.cluster ?? kc.clusters?.[0]?.cluster;
  if (cluster?.['certificate-authority-data']) return Buffer.from(cluster['certificate-authority-data'], 'base64').toString('utf8');
  // A relative file is relative to the kubeconfig, as kubectl reads it.
  if (cluster?.['certificate-authority']) return readFileSync(resolve(dirname(path), cluster['certificate-authority']), 'utf8');
  return undefined;
}

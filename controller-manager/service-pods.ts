/**
 * What the Endpoints and EndpointSlice controllers share: the services a pod change concerns, and
 * the pods a service selects (every selector label must be on the pod; no selector = none).
 */
import type { Pod, Service } from '../lib/api/types.js';
import type { SharedInformer } from '../lib/client/informer.js';
import type { WorkQueue } from '../lib/client/workqueue.js';
import { keyOf } from '../lib/client/indexer.js';
import { selectorFromSet } from '../lib/labels/selector.js';

/** True when the service has a non-empty selector (else its endpoints are the user's). */
export function hasSelector(svc: Service): boolean {
  const sel = svc.spec?.selector;
  return !!sel && Object.keys(sel).length > 0;
}

/** Enqueues a service on its own changes and every service selecting a changed pod (old and new labels). */
export function watchServicesAndPods(services: SharedInformer<Service>, pods: SharedInformer<Pod>, queue: WorkQueue): void {
  services.addEventHandler({ onAdd: (s) => queue.add(keyOf(s)), onUpdate: (_o, s) => queue.add(keyOf(s)), onDelete: (s) => queue.add(keyOf(s)) });
  const podChanged = (p: Pod) => {
    for (const s of services.lister.list(undefined, p.metadata?.namespace)) {
      if (hasSelector(s) && selectorFromSet(s.spec!.selector).matches(p.metadata?.labels)) queue.add(keyOf(s));
    }
  };
  pods.addEventHandler({ onAdd: podChanged, onUpdate: (o, p) => { podChanged(o); podChanged(p); }, onDelete: podChanged });
}

/** The pods of the service's namespace that its selector matches. */
export function selectedPods(svc: Service, pods: SharedInformer<Pod>): Pod[] {
  if (!hasSelector(svc)) return [];
  const selector = selectorFromSet(svc.spec!.selector);
  return pods.lister.list(undefined, svc.metadata?.namespace).filter((p) => selector.matches(p.metadata?.labels));
}

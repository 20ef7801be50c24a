/**
 * Which Ingresses this controller serves, as Kubernetes decides it: spec.ingressClassName names
 * an IngressClass whose spec.controller is ours; the deprecated `kubernetes.io/ingress.class`
 * annotation names our class; or the Ingress names no class and our IngressClass is the cluster
 * default (annotation `ingressclass.kubernetes.io/is-default-class: "true"`).
 */
import type { Ingress, IngressClass } from '../lib/api/types.js';
import type { ApiClient } from '../lib/client/api-client.js';
import { R } from '../lib/client/resources.js';
import { isApiError } from '../lib/errors.js';
import { log } from './log.js';

/** The controller name our IngressClass carries. */
export const CONTROLLER_NAME = 'kubesim.io/ingress-controller';
/** The annotation that marks the default IngressClass. */
export const DEFAULT_CLASS_ANNOTATION = 'ingressclass.kubernetes.io/is-default-class';
/** The deprecated per-Ingress class annotation. */
export const LEGACY_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';

/** True when the IngressClass is marked as the cluster default. */
export function isDefaultClass(c: IngressClass): boolean {
  return c.metadata?.annotations?.[DEFAULT_CLASS_ANNOTATION] === 'true';
}

/** True when this controller (class `className`) serves the Ingress, given the cluster's IngressClasses. */
export function servesIngress(ing: Ingress, className: string, classes: readonly IngressClass[]): boolean {
  const ours = (name: string) => name === className || classes.some((c) => c.metadata?.name === name && c.spec?.controller === CONTROLLER_NAME);
  const named = ing.spec?.ingressClassName;
  if (named) return ours(named);
  const legacy = ing.metadata?.annotations?.[LEGACY_CLASS_ANNOTATION];
  if (legacy) return ours(legacy);
  const defaults = classes.filter(isDefaultClass);
  return defaults.length === 1 && defaults[0].spec?.controller === CONTROLLER_NAME;
}

/**
 * Creates our IngressClass when it is missing, marked default when no other class is. An existing
 * class is left as the admin set it (they may have removed the default mark on purpose).
 */
export async function ensureIngressClass(client: ApiClient, className: string, signal?: AbortSignal): Promise<void> {
  try {
    await client.get<IngressClass>({ ...R.ingressclasses, name: className }, { signal });
    return;
  } catch (err) {
    if (!isApiError(err, 'NotFound')) throw err;
  }
  const existing = await client.list<IngressClass>(R.ingressclasses, { signal });
  const makeDefault = !existing.items.some(isDefaultClass);
  const cls: IngressClass = {
    apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass',
    metadata: { name: className, ...(makeDefault ? { annotations: { [DEFAULT_CLASS_ANNOTATION]: 'true' } } : {}) },
    spec: { controller: CONTROLLER_NAME },
  };
  try {
    await client.create(R.ingressclasses, cls, { signal });
    log('info', 'created IngressClass', { ingressclass: className, default: makeDefault });
  } catch (err) {
    if (!isApiError(err, 'AlreadyExists')) throw err; // another replica won the race
  }
}

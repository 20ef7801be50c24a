/**
 * Pod (anti-)affinity terms compiled for matching: which namespaces (the listed ones, the pod's
 * own by default, or those a namespaceSelector picks) and which labels a pod must carry.
 */
import { selectorFromLabelSelector, type Selector } from '../../../lib/labels/selector.js';
import type { PodAffinityTerm, Pod } from '../../framework/types.js';

/** Namespace labels by name (for namespaceSelector); absent entries count as unlabelled. */
export type NamespaceLabels = (namespace: string) => Record<string, string> | undefined;

/** A compiled term. */
export interface AffinityTerm {
  topologyKey: string;
  selector: Selector;
  namespaces: Set<string>;
  /** Extra namespaces chosen by label (null: none); an empty selector chooses all. */
  namespaceSelector: Selector | null;
}

/** Compiles one term for a pod living in `ownNamespace`. */
export function compileAffinityTerm(t: PodAffinityTerm, ownNamespace: string): AffinityTerm {
  const namespaces = new Set(t.namespaces ?? []);
  if (namespaces.size === 0 && !t.namespaceSelector) namespaces.add(ownNamespace);
  return {
    topologyKey: t.topologyKey,
    selector: selectorFromLabelSelector(t.labelSelector),
    namespaces,
    namespaceSelector: t.namespaceSelector ? selectorFromLabelSelector(t.namespaceSelector) : null,
  };
}

/** True when `pod` is selected by the term. */
export function termMatchesPod(term: AffinityTerm, pod: Pod, nsLabels: NamespaceLabels): boolean {
  const ns = pod.metadata.namespace ?? 'default';
  const nsOk = term.namespaces.has(ns) || (term.namespaceSelector !== null && (term.namespaceSelector.empty() || term.namespaceSelector.matches(nsLabels(ns))));
  return nsOk && term.selector.matches(pod.metadata.labels);
}

/** A pod's affinity and anti-affinity terms, compiled once per pod object (preferred ones with their weights). */
export interface RequiredTerms {
  affinity: AffinityTerm[];
  antiAffinity: AffinityTerm[];
  preferredAffinity: WeightedTerm[];
  preferredAntiAffinity: WeightedTerm[];
}

/** A preferred term and its weight. */
export interface WeightedTerm { term: AffinityTerm; weight: number }

/** True when the pod has any pod affinity or anti-affinity term. */
export function hasPodAffinityTerms(t: RequiredTerms): boolean {
  return t.affinity.length + t.antiAffinity.length + t.preferredAffinity.length + t.preferredAntiAffinity.length > 0;
}

const cache = new WeakMap<Pod, RequiredTerms>();

/** The compiled (anti-)affinity terms of a pod. */
export function requiredTerms(pod: Pod): RequiredTerms {
  let r = cache.get(pod);
  if (!r) {
    const ns = pod.metadata.namespace ?? 'default';
    const a = pod.spec.affinity;
    r = {
      affinity: (a?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => compileAffinityTerm(t, ns)),
      antiAffinity: (a?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => compileAffinityTerm(t, ns)),
      preferredAffinity: (a?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) => ({ weight: w.weight, term: compileAffinityTerm(w.podAffinityTerm, ns) })),
      preferredAntiAffinity: (a?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) => ({ weight: w.weight, term: compileAffinityTerm(w.podAffinityTerm, ns) })),
    };
    cache.set(pod, r);
  }
  return r;
}

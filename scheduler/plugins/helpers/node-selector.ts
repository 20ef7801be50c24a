/**
 * Node selector matching: `spec.nodeSelector` plus required node affinity terms (ORed; inside a
 * term matchExpressions on labels and matchFields on `metadata.name` are ANDed), and preferred terms.
 * Compiled once per pod object: the same pod is checked against every node.
 */
import { newRequirement, selectorFromRequirements, selectorFromSet, type Operator, type Selector } from '../../../lib/labels/selector.js';
import type { Node, NodeSelectorRequirement, NodeSelectorTerm, Pod } from '../../framework/types.js';

const OPS: Record<string, Operator> = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!', Gt: 'gt', Lt: 'lt' };

/** A compiled node selector term; `null` parts mean "this term can never match" (invalid input). */
interface CompiledTerm { labels: Selector | null; fields: Selector | null; hasFields: boolean }

function compileRequirements(reqs: NodeSelectorRequirement[] | undefined): Selector | null {
  const out = [];
  for (const r of reqs ?? []) {
    const op = OPS[r.operator];
    if (!op) return null;
    const req = newRequirement(r.key, op, r.values ?? []);
    if (typeof req === 'string') return null;
    out.push(req);
  }
  return selectorFromRequirements(out);
}

/** Compiles one term (an empty term matches no node, as in Kubernetes). */
export function compileTerm(t: NodeSelectorTerm): CompiledTerm {
  const empty = !(t.matchExpressions?.length) && !(t.matchFields?.length);
  if (empty) return { labels: null, fields: null, hasFields: false };
  return { labels: compileRequirements(t.matchExpressions), fields: compileRequirements(t.matchFields), hasFields: !!t.matchFields?.length };
}

/** True when the node matches a compiled term. */
export function termMatches(t: CompiledTerm, node: Node): boolean {
  if (!t.labels || !t.fields) return false;
  if (!t.labels.matches(node.metadata.labels)) return false;
  return !t.hasFields || t.fields.matches({ 'metadata.name': node.metadata.name });
}

/** A pod's required node constraints: nodeSelector AND (any of the required affinity terms). */
export class RequiredNodeAffinity {
  private readonly selector: Selector | null;
  private readonly terms: CompiledTerm[] | null;

  constructor(pod: Pod) {
    this.selector = pod.spec.nodeSelector && Object.keys(pod.spec.nodeSelector).length ? selectorFromSet(pod.spec.nodeSelector) : null;
    const req = pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
    this.terms = req ? (req.nodeSelectorTerms ?? []).map(compileTerm) : null;
  }

  /** True when the node satisfies nodeSelector and required node affinity. */
  matches(node: Node): boolean {
    if (this.selector && !this.selector.matches(node.metadata.labels)) return false;
    if (this.terms && !this.terms.some((t) => termMatches(t, node))) return false;
    return true;
  }
}

const cache = new WeakMap<Pod, RequiredNodeAffinity>();

/** The compiled required node affinity of a pod (cached per pod object). */
export function requiredNodeAffinity(pod: Pod): RequiredNodeAffinity {
  let r = cache.get(pod);
  if (!r) { r = new RequiredNodeAffinity(pod); cache.set(pod, r); }
  return r;
}

/**
 * LimitRanger, as Kubernetes': a namespace's LimitRanges give containers default requests and
 * limits (mutating) and bound them per Container and per Pod (validating: min, max,
 * maxLimitRequestRatio). Violations are 403 Forbidden with Kubernetes' wording.
 */
import type { KObject } from '../../lib/api/object.js';
import { ApiError } from '../../lib/errors.js';
import { compareQuantities, formatQuantity, parseQuantity, tryParseQuantity, addQuantities, type Quantity } from '../../lib/api/quantity.js';
import type { AdmissionAttributes, AdmissionPlugin, AdmissionStore } from './types.js';

type ResourceMap = Record<string, string>;
interface Resources { requests?: ResourceMap; limits?: ResourceMap }
interface Container { name: string; resources?: Resources }
interface LimitItem { type?: string; max?: ResourceMap; min?: ResourceMap; default?: ResourceMap; defaultRequest?: ResourceMap; maxLimitRequestRatio?: ResourceMap }

const containersOf = (pod: KObject): Container[] => [
  ...(((pod.spec as { containers?: Container[] } | undefined)?.containers) ?? []),
  ...(((pod.spec as { initContainers?: Container[] } | undefined)?.initContainers) ?? []),
];
const itemsOf = (ranges: KObject[]): LimitItem[] => ranges.flatMap((r) => ((r.spec as { limits?: LimitItem[] } | undefined)?.limits) ?? []);

/** Fills missing container requests/limits from `Container` items; returns what was set (for the annotation). */
export function applyLimitDefaults(pod: KObject, ranges: KObject[]): string[] {
  const notes: string[] = [];
  for (const item of itemsOf(ranges).filter((i) => i.type === 'Container')) {
    for (const c of containersOf(pod)) {
      const r = (c.resources ??= {});
      const setReq: string[] = [];
      const setLim: string[] = [];
      for (const [res, v] of Object.entries(item.default ?? {})) if (r.limits?.[res] === undefined) { (r.limits ??= {})[res] = v; setLim.push(res); }
      // A resource without defaultRequest gets its default limit as request, as Kubernetes' LimitRange defaulting.
      for (const [res, v] of Object.entries({ ...(item.default ?? {}), ...(item.defaultRequest ?? {}) })) if (r.requests?.[res] === undefined) { (r.requests ??= {})[res] = v; setReq.push(res); }
      if (setReq.length) notes.push(`${setReq.sort().join(', ')} request for container ${c.name}`);
      if (setLim.length) notes.push(`${setLim.sort().join(', ')} limit for container ${c.name}`);
    }
  }
  return notes;
}

function q(v: string | undefined): Quantity | undefined { return v === undefined ? undefined : tryParseQuantity(v); }

function checkBounds(kind: 'Container' | 'Pod', item: LimitItem, requests: Record<string, Quantity>, limits: Record<string, Quantity>): string[] {
  const errs: string[] = [];
  for (const [res, minRaw] of Object.entries(item.min ?? {})) {
    const min = parseQuantity(minRaw);
    const req = requests[res];
    const lim = limits[res];
    if (!req) errs.push(`minimum ${res} usage per ${kind} is ${minRaw}.  No request is specified`);
    else if (compareQuantities(req, min) < 0) errs.push(`minimum ${res} usage per ${kind} is ${minRaw}, but request is ${formatQuantity(req)}`);
    if (lim && compareQuantities(lim, min) < 0) errs.push(`minimum ${res} usage per ${kind} is ${minRaw}, but limit is ${formatQuantity(lim)}`);
  }
  for (const [res, maxRaw] of Object.entries(item.max ?? {})) {
    const max = parseQuantity(maxRaw);
    const lim = limits[res];
    if (!lim) errs.push(`maximum ${res} usage per ${kind} is ${maxRaw}.  No limit is specified`);
    else if (compareQuantities(lim, max) > 0) errs.push(`maximum ${res} usage per ${kind} is ${maxRaw}, but limit is ${formatQuantity(lim)}`);
  }
  for (const [res, ratioRaw] of Object.entries(item.maxLimitRequestRatio ?? {})) {
    const lim = limits[res];
    const req = requests[res];
    if (!lim || !req) continue;
    const ratio = (Number(lim.num) / Number(lim.den)) / (Number(req.num) / Number(req.den));
    if (ratio > Number(parseQuantity(ratioRaw).num) / Number(parseQuantity(ratioRaw).den)) {
      errs.push(`${res} max limit to request ratio per ${kind} is ${ratioRaw}, but provided ratio is ${ratio.toFixed(6)}`);
    }
  }
  return errs;
}

function parsed(m: ResourceMap | undefined): Record<string, Quantity> {
  const out: Record<string, Quantity> = {};
  for (const [k, v] of Object.entries(m ?? {})) { const x = q(v); if (x) out[k] = x; }
  return out;
}

function sum(maps: Record<string, Quantity>[]): Record<string, Quantity> {
  const out: Record<string, Quantity> = {};
  for (const m of maps) for (const [k, v] of Object.entries(m)) out[k] = out[k] ? addQuantities(out[k], v) : v;
  return out;
}

/** Kubernetes' LimitRanger messages for a pod that breaks a Container or Pod limit. */
export function limitViolations(pod: KObject, ranges: KObject[]): string[] {
  const errs: string[] = [];
  const containers = containersOf(pod);
  for (const item of itemsOf(ranges)) {
    if (item.type === 'Container') {
      for (const c of containers) errs.push(...checkBounds('Container', item, parsed(c.resources?.requests), parsed(c.resources?.limits)));
    } else if (item.type === 'Pod') {
      errs.push(...checkBounds('Pod', item, sum(containers.map((c) => parsed(c.resources?.requests))), sum(containers.map((c) => parsed(c.resources?.limits)))));
    }
  }
  return errs;
}

const isPodCreate = (a: AdmissionAttributes) => a.operation === 'CREATE' && !a.subresource && a.ref.group === '' && a.ref.resource === 'pods' && !!a.object && !!a.namespace;

/** The two halves of LimitRanger: defaults (mutating) and bounds (validating). */
export function limitRangerPlugins(store: AdmissionStore): AdmissionPlugin[] {
  // One read per request: both halves see the same attributes object.
  const reads = new WeakMap<AdmissionAttributes, Promise<KObject[]>>();
  const rangesFor = (a: AdmissionAttributes): Promise<KObject[]> => {
    let p = reads.get(a);
    if (!p) { p = store.list('limitranges', a.namespace!); reads.set(a, p); }
    return p;
  };
  return [{
    name: 'LimitRanger',
    type: 'mutating',
    async admit(a) {
      if (!isPodCreate(a)) return;
      const ranges = await rangesFor(a);
      const notes = ranges.length ? applyLimitDefaults(a.object!, ranges) : [];
      if (notes.length) {
        const m = (a.object!.metadata ??= {});
        m.annotations = { ...(m.annotations ?? {}), 'kubernetes.io/limit-ranger': `LimitRanger plugin set: ${notes.join('; ')}` };
      }
    },
  }, {
    name: 'LimitRanger',
    type: 'validating',
    async admit(a) {
      if (!isPodCreate(a)) return;
      const ranges = await rangesFor(a);
      const errs = ranges.length ? limitViolations(a.object!, ranges) : [];
      if (errs.length) {
        throw new ApiError('Forbidden', `pods "${a.name}" is forbidden: ${errs.length === 1 ? errs[0] : `[${errs.join(', ')}]`}`, { name: a.name, kind: 'pods' });
      }
    },
  }];
}

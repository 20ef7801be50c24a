/**
 * VolumeBinding (the parts that decide placement). PreFilter: every claim the pod mounts must
 * exist and not be terminating; an unbound claim must be of a WaitForFirstConsumer class (its
 * volume is provisioned on the chosen node afterwards), otherwise the pod waits. Filter: a bound
 * volume's node affinity (e.g. a local-path volume) pins the pod to the volume's node. PreBind:
 * such a delayed claim gets the `volume.kubernetes.io/selected-node` annotation naming the chosen
 * node before the pod is bound, which tells the provisioner where to create the volume.
 */
import type { CycleState, FilterPlugin, PreBindContext, PreBindPlugin, PreFilterPlugin } from '../framework/interfaces.js';
import type { NodeInfo } from '../framework/node-info.js';
import type { Snapshot } from '../framework/snapshot.js';
import { SUCCESS, unresolvable, type Status } from '../framework/status.js';
import type { Pod } from '../framework/types.js';
import { compileTerm, termMatches } from './helpers/node-selector.js';

/** Registered plugin name. */
export const VOLUME_BINDING = 'VolumeBinding';
/** Kubernetes' reason strings. */
export const ERR_REASON_UNBOUND_IMMEDIATE = 'pod has unbound immediate PersistentVolumeClaims';
export const ERR_REASON_NODE_CONFLICT = 'node(s) had volume node affinity conflict';
export const ERR_REASON_PV_NOT_EXIST = 'node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)';

/** The annotation the provisioner reads (Kubernetes' name). */
export const ANN_SELECTED_NODE = 'volume.kubernetes.io/selected-node';

const STATE_KEY = 'PreFilter' + VOLUME_BINDING;

interface PreFilterState { terms: ReturnType<typeof compileTerm>[][]; missingVolume: boolean }

/** The claim names a pod mounts. */
export function podClaims(pod: Pod): string[] {
  const vols = (pod.spec.volumes as { persistentVolumeClaim?: { claimName?: string } }[] | undefined) ?? [];
  return vols.map((v) => v.persistentVolumeClaim?.claimName).filter((n): n is string => !!n);
}

/** PreFilter + Filter + PreBind on the pod's PersistentVolumeClaims. */
export class VolumeBinding implements PreFilterPlugin, FilterPlugin, PreBindPlugin {
  readonly name = VOLUME_BINDING;

  preFilter(state: CycleState, pod: Pod, snapshot: Snapshot): Status {
    const names = podClaims(pod);
    const s: PreFilterState = { terms: [], missingVolume: false };
    state.write(STATE_KEY, s);
    if (names.length === 0) return SUCCESS;
    const ns = pod.metadata.namespace ?? 'default';
    const objs = snapshot.volumes;
    let unboundImmediate = false;
    for (const name of names) {
      const claim = objs.claim(ns, name);
      if (!claim) return unresolvable(this.name, `persistentvolumeclaim "${name}" not found`);
      if (claim.metadata?.deletionTimestamp) return unresolvable(this.name, `persistentvolumeclaim "${name}" is being deleted`);
      const volumeName = claim.spec?.volumeName;
      if (!volumeName) { if (!objs.delayedBinding(claim)) unboundImmediate = true; continue; }
      const pv = objs.volumes.get(volumeName);
      if (!pv) { s.missingVolume = true; continue; }
      const terms = pv.spec?.nodeAffinity?.required?.nodeSelectorTerms;
      if (terms) s.terms.push(terms.map(compileTerm));
    }
    return unboundImmediate ? unresolvable(this.name, ERR_REASON_UNBOUND_IMMEDIATE) : SUCCESS;
  }

  filter(state: CycleState, _pod: Pod, node: NodeInfo): Status {
    const s = state.read<PreFilterState>(STATE_KEY);
    if (!s) return SUCCESS;
    if (s.missingVolume) return unresolvable(this.name, ERR_REASON_PV_NOT_EXIST);
    for (const terms of s.terms) if (!terms.some((t) => termMatches(t, node.node))) return unresolvable(this.name, ERR_REASON_NODE_CONFLICT);
    return SUCCESS;
  }

  async preBind(pod: Pod, nodeName: string, ctx: PreBindContext): Promise<void> {
    const ns = pod.metadata.namespace ?? 'default';
    const objs = ctx.snapshot.volumes;
    for (const name of podClaims(pod)) {
      const claim = objs.claim(ns, name);
      if (!claim || claim.spec?.volumeName || !objs.delayedBinding(claim)) continue;
      if (claim.metadata?.annotations?.[ANN_SELECTED_NODE] === nodeName) continue;
      await ctx.patchMetadata({ resource: 'persistentvolumeclaims', namespace: ns, name }, { annotations: { [ANN_SELECTED_NODE]: nodeName } });
    }
  }
}

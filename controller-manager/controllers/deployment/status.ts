/** A Deployment's status and conditions from its ReplicaSets (as Kubernetes' calculateStatus). */
import type { Deployment, ReplicaSet } from '../../../lib/api/types.js';
import { specReplicas, statusSum, surgeAndUnavailable } from './util.js';

interface Condition { type: string; status: string; reason: string; message: string; lastUpdateTime?: string; lastTransitionTime?: string }

function now(): string { return new Date().toISOString().replace(/\.\d+Z$/, 'Z'); }

function setCondition(conds: Condition[], c: Condition, progressed: boolean): Condition[] {
  const old = conds.find((x) => x.type === c.type);
  const t = now();
  if (old && old.status === c.status && old.reason === c.reason) {
    // Same state: keep transition time; bump update time only when something moved.
    return conds.map((x) => (x.type === c.type ? { ...old, message: c.message, lastUpdateTime: progressed ? t : old.lastUpdateTime } : x));
  }
  const next = { ...c, lastUpdateTime: t, lastTransitionTime: old && old.status === c.status ? old.lastTransitionTime : t };
  return [...conds.filter((x) => x.type !== c.type), next];
}

/** True when the rollout of newRS is complete. */
export function rolloutComplete(d: Deployment, newRS: ReplicaSet | undefined, all: ReplicaSet[]): boolean {
  const replicas = d.spec?.replicas ?? 1;
  const updated = (newRS?.status?.replicas ?? 0);
  return !!newRS && updated === replicas && (newRS.status?.availableReplicas ?? 0) === replicas && statusSum(all, 'replicas') === replicas;
}

/** The status the deployment should have now; `created` = a new RS was just created this sync. */
export function computeStatus(d: Deployment, newRS: ReplicaSet | undefined, all: ReplicaSet[], created: boolean): Deployment['status'] {
  const replicas = d.spec?.replicas ?? 1;
  const old = (d.status ?? {}) as NonNullable<Deployment['status']>;
  const available = statusSum(all, 'availableReplicas');
  const st = {
    observedGeneration: d.metadata?.generation,
    replicas: statusSum(all, 'replicas'),
    updatedReplicas: newRS?.status?.replicas ?? 0,
    readyReplicas: statusSum(all, 'readyReplicas'),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, specReplicas(all) - available),
    collisionCount: old.collisionCount,
  };
  const progressed = st.replicas !== old.replicas || st.updatedReplicas !== old.updatedReplicas || st.availableReplicas !== old.availableReplicas || created;
  let conds = (old.conditions ?? []) as Condition[];
  const { unavailable } = d.spec?.strategy?.type === 'Recreate' ? { unavailable: replicas } : surgeAndUnavailable(d);
  conds = available >= replicas - unavailable
    ? setCondition(conds, { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' }, false)
    : setCondition(conds, { type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.' }, false);
  const name = newRS?.metadata?.name ?? '';
  if (d.spec?.paused) {
    conds = setCondition(conds, { type: 'Progressing', status: 'Unknown', reason: 'DeploymentPaused', message: 'Deployment is paused' }, false);
  } else if (rolloutComplete(d, newRS, all)) {
    conds = setCondition(conds, { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${name}" has successfully progressed.` }, progressed);
  } else if (created) {
    conds = setCondition(conds, { type: 'Progressing', status: 'True', reason: 'NewReplicaSetCreated', message: `Created new replica set "${name}"` }, true);
  } else {
    const prog = conds.find((c) => c.type === 'Progressing');
    const deadline = (d.spec?.progressDeadlineSeconds ?? 600) * 1000;
    const last = prog?.lastUpdateTime ? Date.parse(prog.lastUpdateTime) : Date.now();
    if (!progressed && prog?.reason !== 'NewReplicaSetAvailable' && Date.now() - last > deadline) {
      conds = setCondition(conds, { type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: `ReplicaSet "${name}" has timed out progressing.` }, false);
    } else if (progressed || prog?.reason !== 'ProgressDeadlineExceeded') {
      conds = setCondition(conds, { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: `ReplicaSet "${name}" is progressing.` }, progressed);
    }
  }
  // Kubernetes lists Available before Progressing.
  conds.sort((a, b) => (a.type === 'Available' ? -1 : b.type === 'Available' ? 1 : 0));
  return { ...st, conditions: conds } as Deployment['status'];
}

/**
 * Priority admission, as Kubernetes': a pod's priorityClassName is resolved to spec.priority and
 * spec.preemptionPolicy (the scheduler's preemption reads them); without a class the global
 * default class applies. Unknown classes, and hand-set priorities that disagree with the class, are
 * rejected; without any class a hand-set priority is kept (Kubernetes would refuse it).
 */
import type { KObject } from '../../lib/api/object.js';
import { ApiError } from '../../lib/errors.js';
import type { AdmissionPlugin, AdmissionStore } from './types.js';

interface PodSpec { priorityClassName?: string; priority?: number; preemptionPolicy?: string }
interface PriorityClass extends KObject { value?: number; globalDefault?: boolean; preemptionPolicy?: string }

/** The built-in classes kube-apiserver creates at start. */
export const SYSTEM_PRIORITY_CLASSES: PriorityClass[] = [
  { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'system-cluster-critical' }, value: 2_000_000_000, description: 'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.' },
  { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'system-node-critical' }, value: 2_000_001_000, description: 'Used for system critical pods that must not be moved from their current node.' },
];

/** The Priority plugin (mutating, pod creates). */
export function priorityPlugin(store: AdmissionStore): AdmissionPlugin {
  return {
    name: 'Priority',
    type: 'mutating',
    async admit(a) {
      if (a.operation !== 'CREATE' || a.subresource || a.ref.group !== '' || a.ref.resource !== 'pods' || !a.object) return;
      const spec = (a.object.spec ??= {}) as PodSpec;
      const classes = await store.list('priorityclasses', '') as PriorityClass[];
      const byName = spec.priorityClassName ? classes.find((c) => c.metadata?.name === spec.priorityClassName) : classes.find((c) => c.globalDefault);
      if (spec.priorityClassName && !byName) {
        throw new ApiError('Forbidden', `pods "${a.name}" is forbidden: no PriorityClass with name ${spec.priorityClassName} was found`, { name: a.name, kind: 'pods' });
      }
      if (!byName) {
        // Kubernetes would reject a hand-set priority here; kubesim keeps it (tests and labs set it directly).
        spec.priority ??= 0;
        return;
      }
      const value = byName.value ?? 0;
      // Pod defaulting writes priority 0; any other hand-set value must agree with the class.
      if (spec.priority !== undefined && spec.priority !== 0 && spec.priority !== value) {
        throw new ApiError('Forbidden', `pods "${a.name}" is forbidden: the integer value of priority (${spec.priority}) must not be provided in pod spec; priority admission controller computed ${value} from the given PriorityClass name`, { name: a.name, kind: 'pods' });
      }
      spec.priority = value;
      spec.priorityClassName = byName.metadata!.name;
      spec.preemptionPolicy = byName.preemptionPolicy ?? 'PreemptLowerPriority';
    },
  };
}

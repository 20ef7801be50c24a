/** Plugin results as data: a code, the user-facing reasons and the plugin that produced them. */

/** Outcome class of a plugin call (Kubernetes framework.Code, minus the ones we do not use). */
export type StatusCode = 'Success' | 'Unschedulable' | 'UnschedulableAndUnresolvable' | 'Error';

/** The result of a PreFilter/Filter call. */
export interface Status { code: StatusCode; reasons: string[]; plugin: string }

/** A shared, frozen success result (plugins return it on the hot path without allocating). */
export const SUCCESS: Status = Object.freeze({ code: 'Success', reasons: Object.freeze([]) as unknown as string[], plugin: '' }) as Status;

/** A retryable "does not fit" (e.g. resources, ports: may change when pods go away). */
export function unschedulable(plugin: string, ...reasons: string[]): Status {
  return { code: 'Unschedulable', reasons, plugin };
}

/** A "does not fit and preemption cannot help" (e.g. taints, node affinity). */
export function unresolvable(plugin: string, ...reasons: string[]): Status {
  return { code: 'UnschedulableAndUnresolvable', reasons, plugin };
}

/** An internal failure of a plugin; the pod is retried with backoff. */
export function errorStatus(plugin: string, message: string): Status {
  return { code: 'Error', reasons: [message], plugin };
}

/** True for a Success status. */
export function isSuccess(s: Status): boolean {
  return s.code === 'Success';
}

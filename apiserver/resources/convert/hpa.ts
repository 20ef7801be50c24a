/**
 * Conversion between autoscaling/v1 and autoscaling/v2 HorizontalPodAutoscalers (`kubectl
 * autoscale` posts v1). v2 is the storage shape; what v1 cannot express (metrics other than CPU
 * utilization, conditions) rides in annotations, as Kubernetes does, so a round trip loses nothing.
 */
import type { KObject } from '../../../lib/api/object.js';
import type { HorizontalPodAutoscaler, MetricSpec } from '../../../lib/api/types.js';

/** Annotation holding the v2 metrics a v1 object cannot express. */
export const METRICS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/metrics';
/** Annotation holding the v2 status conditions on a v1 object. */
export const CONDITIONS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/conditions';

interface V1Spec { scaleTargetRef?: unknown; minReplicas?: number; maxReplicas?: number; targetCPUUtilizationPercentage?: number }
interface V1Status { observedGeneration?: number; lastScaleTime?: string; currentReplicas?: number; desiredReplicas?: number; currentCPUUtilizationPercentage?: number }

const isCpuUtilization = (m: MetricSpec) => m.type === 'Resource' && m.resource?.name === 'cpu' && m.resource.target?.type === 'Utilization';

/** An autoscaling/v1 HPA as autoscaling/v2. */
export function hpaV1ToV2(obj: KObject): KObject {
  const meta = structuredClone(obj.metadata ?? {});
  const annotations = { ...(meta.annotations ?? {}) };
  const spec = (obj.spec ?? {}) as V1Spec;
  const status = obj.status as V1Status | undefined;
  const metrics: MetricSpec[] = spec.targetCPUUtilizationPercentage !== undefined
    ? [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: spec.targetCPUUtilizationPercentage } } }] : [];
  if (annotations[METRICS_ANNOTATION]) metrics.push(...(JSON.parse(annotations[METRICS_ANNOTATION]) as MetricSpec[]));
  const conditions = annotations[CONDITIONS_ANNOTATION] ? JSON.parse(annotations[CONDITIONS_ANNOTATION]) : undefined;
  delete annotations[METRICS_ANNOTATION];
  delete annotations[CONDITIONS_ANNOTATION];
  meta.annotations = annotations;
  if (Object.keys(annotations).length === 0) delete meta.annotations;
  const out: HorizontalPodAutoscaler = {
    apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: meta,
    spec: { scaleTargetRef: structuredClone(spec.scaleTargetRef) as never, minReplicas: spec.minReplicas, maxReplicas: spec.maxReplicas, ...(metrics.length ? { metrics } : {}) },
  };
  if (status) {
    out.status = { observedGeneration: status.observedGeneration, lastScaleTime: status.lastScaleTime, currentReplicas: status.currentReplicas, desiredReplicas: status.desiredReplicas, conditions };
    if (status.currentCPUUtilizationPercentage !== undefined) out.status.currentMetrics = [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: status.currentCPUUtilizationPercentage } } }];
  }
  return JSON.parse(JSON.stringify(out)) as KObject;
}

/** An autoscaling/v2 HPA as autoscaling/v1. */
export function hpaV2ToV1(obj: KObject): KObject {
  const h = obj as HorizontalPodAutoscaler;
  const meta = structuredClone(h.metadata ?? {});
  const metrics = h.spec?.metrics ?? [];
  const cpu = metrics.find(isCpuUtilization);
  const rest = metrics.filter((m) => m !== cpu);
  const annotations = { ...(meta.annotations ?? {}) };
  if (rest.length) annotations[METRICS_ANNOTATION] = JSON.stringify(rest);
  if (h.status?.conditions?.length) annotations[CONDITIONS_ANNOTATION] = JSON.stringify(h.status.conditions);
  if (Object.keys(annotations).length) meta.annotations = annotations;
  const spec: V1Spec = { scaleTargetRef: structuredClone(h.spec?.scaleTargetRef), minReplicas: h.spec?.minReplicas, maxReplicas: h.spec?.maxReplicas, targetCPUUtilizationPercentage: cpu?.resource?.target?.averageUtilization };
  const out: KObject = { apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: meta, spec };
  if (h.status) {
    const cur = h.status.currentMetrics?.find((m) => m.type === 'Resource' && m.resource?.name === 'cpu')?.resource?.current?.averageUtilization;
    const st: V1Status = { observedGeneration: h.status.observedGeneration, lastScaleTime: h.status.lastScaleTime, currentReplicas: h.status.currentReplicas, desiredReplicas: h.status.desiredReplicas, currentCPUUtilizationPercentage: cur };
    out.status = st;
  }
  return JSON.parse(JSON.stringify(out)) as KObject;
}

/**
 * PodSpec defaulting and validation shared by pods and every pod template (Deployment,
 * ReplicaSet, StatefulSet, DaemonSet, Job, CronJob, ReplicationController, PodTemplate).
 */
import type { FieldError } from '../../../lib/errors.js';
import type { PodSpec, PodTemplateSpec, Volume, Toleration } from '../../../lib/api/types.js';
import { isDNS1123Label, isDNS1123Subdomain } from '../../../lib/labels/validation.js';
import { defaultContainer, validateContainers } from './container.js';
import { duplicate, forbidden, invalidIf, invalidValue, isObject, notSupported, required } from './field.js';
import { validateLabels, validateAnnotations } from './meta.js';
import { validateAffinity, validateTopologySpread } from './affinity.js';

/** Restart policies a pod may have. */
export const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const DNS_POLICIES = ['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None'];
const TOLERATION_OPERATORS = ['Equal', 'Exists'];
const TAINT_EFFECTS = ['NoExecute', 'NoSchedule', 'PreferNoSchedule'];
const VOLUME_SOURCES = ['emptyDir', 'hostPath', 'configMap', 'secret', 'downwardAPI', 'projected', 'persistentVolumeClaim', 'nfs'];

function defaultVolume(v: Volume): void {
  const sources = VOLUME_SOURCES.filter((s) => (v as Record<string, unknown>)[s] != null);
  // A volume without a source is an emptyDir, as in Kubernetes.
  if (sources.length === 0) v.emptyDir = {};
  if (v.configMap) v.configMap.defaultMode ??= 420;
  if (v.secret) v.secret.defaultMode ??= 420;
  if (v.downwardAPI) v.downwardAPI.defaultMode ??= 420;
  if (v.projected) v.projected.defaultMode ??= 420;
  if (v.hostPath) v.hostPath.type ??= '';
}

/**
 * Fills PodSpec defaults in place (SetDefaults_PodSpec + containers + volumes). Fields that are
 * plain strings in Kubernetes' Go types treat "" as unset (`||=`); pointer fields keep a set zero (`??=`).
 */
export function defaultPodSpec(spec: PodSpec): void {
  spec.restartPolicy ||= 'Always';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ||= 'ClusterFirst';
  spec.securityContext ??= {};
  spec.schedulerName ||= 'default-scheduler';
  spec.enableServiceLinks ??= true;
  if (spec.serviceAccountName && !spec.serviceAccount) spec.serviceAccount = spec.serviceAccountName;
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    if (!isObject(c)) continue;
    defaultContainer(c);
    // With the host's network a container port is also the host port.
    if (spec.hostNetwork) for (const p of c.ports ?? []) p.hostPort ??= p.containerPort;
  }
  for (const v of spec.volumes ?? []) if (isObject(v)) defaultVolume(v);
}

/** Fills a pod template's defaults in place. */
export function defaultPodTemplate(t: PodTemplateSpec | undefined): void {
  if (!t) return;
  t.spec ??= {};
  defaultPodSpec(t.spec);
}

function validateVolumes(volumes: Volume[], path: string): { errs: FieldError[]; names: Set<string> } {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  volumes.forEach((v, i) => {
    const vp = `${path}[${i}]`;
    if (!v.name) errs.push(required(`${vp}.name`));
    else {
      errs.push(...invalidIf(`${vp}.name`, v.name, isDNS1123Label(v.name)));
      if (names.has(v.name)) errs.push(duplicate(`${vp}.name`, v.name));
      names.add(v.name);
    }
    const sources = VOLUME_SOURCES.filter((s) => (v as Record<string, unknown>)[s] != null);
    if (sources.length === 0) errs.push(required(vp, 'must specify a volume type'));
    else if (sources.length > 1) errs.push(forbidden(`${vp}.${sources[1]}`, 'may not specify more than 1 volume type'));
    if (v.hostPath && !v.hostPath.path) errs.push(required(`${vp}.hostPath.path`));
    if (v.configMap && !v.configMap.name) errs.push(required(`${vp}.configMap.name`));
    if (v.secret && !v.secret.secretName) errs.push(required(`${vp}.secret.secretName`));
    if (v.persistentVolumeClaim && !v.persistentVolumeClaim.claimName) errs.push(required(`${vp}.persistentVolumeClaim.claimName`));
    for (const k of ['configMap', 'secret', 'downwardAPI', 'projected'] as const) {
      const mode = (v[k] as { defaultMode?: number } | undefined)?.defaultMode;
      if (mode !== undefined && !(Number.isInteger(mode) && mode >= 0 && mode <= 0o777)) errs.push(invalidValue(`${vp}.${k}.defaultMode`, mode, 'must be a number between 0 and 0777 (octal), both inclusive'));
    }
    for (const k of ['configMap', 'secret'] as const) {
      (v[k]?.items ?? []).forEach((it, j) => {
        const ip = `${vp}.${k}.items[${j}]`;
        if (!it.key) errs.push(required(`${ip}.key`));
        if (!it.path) errs.push(required(`${ip}.path`));
        else if (it.path.startsWith('/')) errs.push(invalidValue(`${ip}.path`, it.path, 'must be a relative path'));
        else if (it.path.split('/').includes('..')) errs.push(invalidValue(`${ip}.path`, it.path, "must not contain '..'"));
      });
    }
  });
  return { errs, names };
}

function validateTolerations(ts: Toleration[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  ts.forEach((t, i) => {
    const tp = `${path}[${i}]`;
    if (t.operator && !TOLERATION_OPERATORS.includes(t.operator)) errs.push(notSupported(`${tp}.operator`, t.operator, TOLERATION_OPERATORS));
    if (t.operator === 'Exists' && t.value) errs.push(invalidValue(`${tp}.operator`, t.operator, 'value must be empty when `operator` is \'Exists\''));
    if (!t.key && t.operator !== 'Exists') errs.push(invalidValue(`${tp}.operator`, t.operator ?? '', 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    if (t.effect && !TAINT_EFFECTS.includes(t.effect)) errs.push(notSupported(`${tp}.effect`, t.effect, TAINT_EFFECTS));
    if (t.tolerationSeconds !== undefined && t.effect !== 'NoExecute') errs.push(invalidValue(`${tp}.effect`, t.effect ?? '', 'effect must be \'NoExecute\' when `tolerationSeconds` is set'));
  });
  return errs;
}

/** Validates a PodSpec at `path` (e.g. `spec` or `spec.template.spec`). */
export function validatePodSpec(spec: PodSpec | undefined, path: string): FieldError[] {
  if (!isObject(spec)) return [required(path)];
  const errs: FieldError[] = [];
  const { errs: volErrs, names: volumes } = validateVolumes(spec.volumes ?? [], `${path}.volumes`);
  errs.push(...volErrs);
  const containerNames = new Set<string>();
  if (!Array.isArray(spec.containers) || spec.containers.length === 0) errs.push(required(`${path}.containers`));
  else errs.push(...validateContainers(spec.containers, `${path}.containers`, volumes, containerNames));
  if (spec.initContainers) errs.push(...validateContainers(spec.initContainers, `${path}.initContainers`, volumes, containerNames));
  if (spec.restartPolicy && !RESTART_POLICIES.includes(spec.restartPolicy)) errs.push(notSupported(`${path}.restartPolicy`, spec.restartPolicy, RESTART_POLICIES));
  if (spec.dnsPolicy && !DNS_POLICIES.includes(spec.dnsPolicy)) errs.push(notSupported(`${path}.dnsPolicy`, spec.dnsPolicy, DNS_POLICIES));
  if (spec.dnsPolicy === 'None' && !spec.dnsConfig?.nameservers?.length) errs.push(required(`${path}.dnsConfig`, 'must provide `dnsConfig` when `dnsPolicy` is None'));
  if (spec.activeDeadlineSeconds !== undefined && !(spec.activeDeadlineSeconds > 0)) errs.push(invalidValue(`${path}.activeDeadlineSeconds`, spec.activeDeadlineSeconds, 'must be between 1 and 2147483647, inclusive'));
  if (spec.terminationGracePeriodSeconds !== undefined && spec.terminationGracePeriodSeconds < 0) errs.push(invalidValue(`${path}.terminationGracePeriodSeconds`, spec.terminationGracePeriodSeconds, 'must be greater than or equal to 0'));
  errs.push(...validateLabels(spec.nodeSelector, `${path}.nodeSelector`));
  if (spec.hostname) errs.push(...invalidIf(`${path}.hostname`, spec.hostname, isDNS1123Label(spec.hostname)));
  if (spec.subdomain) errs.push(...invalidIf(`${path}.subdomain`, spec.subdomain, isDNS1123Label(spec.subdomain)));
  if (spec.serviceAccountName) errs.push(...invalidIf(`${path}.serviceAccountName`, spec.serviceAccountName, isDNS1123Subdomain(spec.serviceAccountName)));
  if (spec.nodeName) errs.push(...invalidIf(`${path}.nodeName`, spec.nodeName, isDNS1123Subdomain(spec.nodeName)));
  errs.push(...validateTolerations(spec.tolerations ?? [], `${path}.tolerations`));
  errs.push(...validateAffinity(spec.affinity, `${path}.affinity`), ...validateTopologySpread(spec.topologySpreadConstraints, `${path}.topologySpreadConstraints`));
  if (spec.hostNetwork) {
    for (const [k, list] of [['containers', spec.containers ?? []], ['initContainers', spec.initContainers ?? []]] as const) {
      list.forEach((c, i) => (c?.ports ?? []).forEach((p, j) => {
        if (p.hostPort && p.hostPort !== p.containerPort) errs.push(invalidValue(`${path}.${k}[${i}].ports[${j}].hostPort`, p.hostPort, 'must match `containerPort` when `hostNetwork` is true'));
      }));
    }
  }
  return errs;
}

/** Validates a pod template at `path` (e.g. `spec.template`): its labels/annotations and spec. */
export function validatePodTemplate(t: PodTemplateSpec | undefined, path: string): FieldError[] {
  if (!isObject(t)) return [required(path)];
  return [
    ...validateLabels(t.metadata?.labels, `${path}.metadata.labels`),
    ...validateAnnotations(t.metadata?.annotations, `${path}.metadata.annotations`),
    ...validatePodSpec(t.spec, `${path}.spec`),
  ];
}

/**
 * What Kubernetes' JSON decoder checks before any validation, driven by the proto schema
 * (proto/*.proto through the reflection bundle): each field's JSON type (a number where a list
 * belongs is a 400), and which fields the kind does not have (fieldValidation=Warn|Strict).
 * `checkJson` walks a body once and builds nothing but the list of unknown paths: it runs on
 * every write. The protobuf encoder (codec.ts) applies the same type checks.
 */
import protobuf from 'protobufjs';
import { ApiError } from '../errors.js';

/** Messages that stand for a JSON scalar (or any JSON): IntOrString, Quantity, Time, RawJSON. */
export type Wrapper = 'IntOrString' | 'Quantity' | 'Time' | 'RawJSON';
const WRAPPERS: Record<string, Wrapper> = {
  '.kubesim.api.IntOrString': 'IntOrString', '.kubesim.api.Quantity': 'Quantity', '.kubesim.api.Time': 'Time', '.kubesim.api.RawJSON': 'RawJSON',
};
// Type.fullName is recomputed on every access (it walks the parents): remember the answer per type.
const wrapperCache = new WeakMap<protobuf.Type, Wrapper | null>();

/** The wrapper a message type stands for, or null for an ordinary message. */
export function wrapperOf(t: protobuf.Type): Wrapper | null {
  let w = wrapperCache.get(t);
  if (w === undefined) { w = WRAPPERS[t.fullName] ?? null; wrapperCache.set(t, w); }
  return w;
}

/** A decode error naming the field path. */
export function badRequest(path: string, msg: string): ApiError {
  return new ApiError('BadRequest', `${path || '<root>'}: ${msg}`);
}

/** A JSON object (not an array, not null). */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const NUMBER_TYPES = new Set(['int32', 'int64', 'uint32', 'uint64', 'sint32', 'sint64', 'fixed32', 'fixed64', 'sfixed32', 'sfixed64', 'double', 'float']);
const INT32_RANGE: Record<string, [number, number]> = {
  int32: [-(2 ** 31), 2 ** 31 - 1], sint32: [-(2 ** 31), 2 ** 31 - 1], sfixed32: [-(2 ** 31), 2 ** 31 - 1], uint32: [0, 2 ** 32 - 1], fixed32: [0, 2 ** 32 - 1],
};
const INTEGER_TYPES = new Set([...NUMBER_TYPES].filter((t) => t !== 'double' && t !== 'float'));

/** Throws BadRequest when `v` does not have the JSON type of the scalar `field`. */
export function checkScalar(field: protobuf.Field, v: unknown, path: string): void {
  if (field.type === 'string' || field.type === 'bytes') {
    if (typeof v !== 'string') throw badRequest(path, `expected a string, got ${JSON.stringify(v)}`);
    return;
  }
  if (field.type === 'bool') {
    if (typeof v !== 'boolean') throw badRequest(path, `expected a boolean, got ${JSON.stringify(v)}`);
    return;
  }
  if (NUMBER_TYPES.has(field.type)) {
    if (typeof v !== 'number' || (INTEGER_TYPES.has(field.type) && !Number.isInteger(v))) throw badRequest(path, `expected ${INTEGER_TYPES.has(field.type) ? 'an integer' : 'a number'}, got ${JSON.stringify(v)}`);
    // protobufjs would silently wrap a 32-bit value; Go's JSON decoder rejects it, so do we
    const range = INT32_RANGE[field.type];
    if (range && (v < range[0] || v > range[1])) throw badRequest(path, `value ${v} overflows ${field.type}`);
    return;
  }
  throw badRequest(path, `unsupported field type ${field.type}`);
}

/** Throws BadRequest when `v` is not a JSON value the wrapper stands for. */
export function checkWrapper(w: Wrapper, v: unknown, path: string): void {
  switch (w) {
    case 'IntOrString':
      if (!((typeof v === 'number' && Number.isInteger(v)) || typeof v === 'string')) throw badRequest(path, `expected an integer or a string, got ${JSON.stringify(v)}`);
      return;
    case 'Quantity':
      if (!((typeof v === 'number' && Number.isFinite(v)) || typeof v === 'string')) throw badRequest(path, `expected a quantity, got ${JSON.stringify(v)}`);
      return;
    case 'Time':
      if (typeof v !== 'string') throw badRequest(path, `expected an RFC3339 time string, got ${JSON.stringify(v)}`);
      return;
    case 'RawJSON':
      return;
  }
}

/**
 * Fields Kubernetes (1.32) has that proto/api.proto does not model: known to field validation,
 * so manifests using them pass `--validate=strict`; their values are not type-checked (the gRPC
 * codec carries such objects as raw JSON).
 */
const KUBERNETES_ONLY: Record<string, string[]> = {
  PodSpec: ['ephemeralContainers', 'resourceClaims'],
  Container: ['volumeDevices'],
  ResourceRequirements: ['claims'],
  VolumeMount: ['recursiveReadOnly'],
  SecurityContext: ['seLinuxOptions', 'windowsOptions', 'procMount', 'seccompProfile', 'appArmorProfile'],
  PodSecurityContext: ['seLinuxOptions', 'windowsOptions', 'supplementalGroupsPolicy', 'fsGroupChangePolicy', 'seccompProfile', 'appArmorProfile', 'seLinuxChangePolicy'],
  Volume: ['gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'iscsi', 'glusterfs', 'rbd', 'flexVolume', 'cinder', 'cephfs', 'flocker', 'fc', 'azureFile', 'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'portworxVolume', 'scaleIO', 'storageos', 'csi', 'ephemeral', 'image'],
  VolumeProjection: ['clusterTrustBundle'],
  PersistentVolumeSpec: ['gcePersistentDisk', 'awsElasticBlockStore', 'glusterfs', 'rbd', 'iscsi', 'cinder', 'cephfs', 'fc', 'flocker', 'flexVolume', 'azureFile', 'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'portworxVolume', 'scaleIO', 'storageos', 'csi', 'volumeAttributesClassName'],
  PersistentVolumeClaimSpec: ['dataSourceRef', 'volumeAttributesClassName'],
  PersistentVolumeClaimStatus: ['allocatedResources', 'allocatedResourceStatuses', 'currentVolumeAttributesClassName', 'modifyVolumeStatus'],
  JobSpec: ['podFailurePolicy', 'successPolicy'],
  NodeSpec: ['configSource', 'externalID'],
  NodeStatus: ['config', 'runtimeHandlers', 'features'],
  Endpoint: ['deprecatedTopology', 'hints'],
  ContainerStatus: ['volumeMounts', 'user', 'allocatedResourcesStatus', 'stopSignal'],
  Lifecycle: ['stopSignal'],
  LeaseSpec: ['preferredHolder', 'strategy'],
};
const knownElsewhere = new WeakMap<protobuf.Type, Set<string>>();
function kubernetesOnly(t: protobuf.Type): Set<string> {
  let s = knownElsewhere.get(t);
  if (!s) { s = new Set(t.fullName.startsWith('.kubesim.api.') ? KUBERNETES_ONLY[t.name] ?? [] : []); knownElsewhere.set(t, s); }
  return s;
}

function checkValue(field: protobuf.Field, v: unknown, path: string, unknown?: string[]): void {
  const t = field.resolvedType;
  if (!(t instanceof protobuf.Type)) { checkScalar(field, v, path); return; }
  const w = wrapperOf(t);
  if (w) { checkWrapper(w, v, path); return; }
  if (!isObject(v)) throw badRequest(path, `expected an object, got ${JSON.stringify(v)}`);
  checkJson(t, v, path, unknown);
}

/**
 * Throws BadRequest (naming the field path) at the first value whose JSON type message `type`
 * does not allow; appends to `unknown` the paths of fields neither the proto nor Kubernetes has
 * (`spec.template.spec.containers[0].foo`). JSON null means unset and is skipped, as in Go.
 */
export function checkJson(type: protobuf.Type, json: Record<string, unknown>, path = '', unknown?: string[]): void {
  for (const key in json) {
    const v = json[key];
    if (v === null || v === undefined) continue;
    const fieldPath = path ? `${path}.${key}` : key;
    const field = type.fields[key];
    if (!field) {
      if (unknown && !kubernetesOnly(type).has(key)) unknown.push(fieldPath);
      continue;
    }
    if (field.map) {
      if (!isObject(v)) throw badRequest(fieldPath, `expected an object, got ${JSON.stringify(v)}`);
      for (const mk in v) if (v[mk] !== null) checkValue(field, v[mk], `${fieldPath}[${mk}]`, unknown);
    } else if (field.repeated) {
      if (!Array.isArray(v)) throw badRequest(fieldPath, `expected an array, got ${JSON.stringify(v)}`);
      for (let i = 0; i < v.length; i++) checkValue(field, v[i], `${fieldPath}[${i}]`, unknown);
    } else {
      checkValue(field, v, fieldPath, unknown);
    }
  }
}

/**
 * Patch strategies per field, per kind: the information Kubernetes keeps in its Go struct tags
 * (`patchStrategy`, `patchMergeKey`, `listType=map`/`listMapKeys`, `structType=atomic`). Both
 * strategic merge patch and server-side apply read this table. Fields not listed behave as in a
 * JSON merge patch (maps merge recursively, lists are replaced whole / are atomic for apply).
 */

/** How one field is patched. */
export interface FieldSchema {
  /** 'merge': associative list (by `key`) or, for primitives, a set. Absent: replaced whole. */
  list?: 'merge';
  /** Strategic merge patch merge key (Kubernetes' patchMergeKey). */
  key?: string;
  /** Server-side apply list map keys (default: [key]); missing keys default to `keyDefaults`. */
  keys?: string[];
  /** Defaults for list map keys absent from an item (e.g. protocol TCP). */
  keyDefaults?: Record<string, unknown>;
  /** Maps (or list items) here honour `$retainKeys`. */
  retainKeys?: boolean;
  /** Server-side apply treats the value as one unit (e.g. label selectors). */
  atomic?: boolean;
  /** Kubernetes' patchStrategy "replace": a strategic patch replaces the map whole (implies atomic). */
  replace?: boolean;
  /** A map with free-form keys (labels): the map itself is a member of field sets. */
  map?: boolean;
  /** Schema of the value (a struct) or of each list item. */
  struct?: StructSchema;
}

/** Field name → schema. */
export type StructSchema = Record<string, FieldSchema>;

const byName: FieldSchema = { list: 'merge', key: 'name' };
const conditions: FieldSchema = { list: 'merge', key: 'type' };
const freeMap: FieldSchema = { map: true };

const objectMeta: StructSchema = {
  labels: freeMap,
  annotations: freeMap,
  finalizers: { list: 'merge' },
  ownerReferences: { list: 'merge', key: 'uid' },
  managedFields: { atomic: true },
};

const container: StructSchema = {
  ports: { list: 'merge', key: 'containerPort', keys: ['containerPort', 'protocol'], keyDefaults: { protocol: 'TCP' } },
  env: byName,
  volumeMounts: { list: 'merge', key: 'mountPath' },
  volumeDevices: { list: 'merge', key: 'devicePath' },
  resources: { struct: { limits: freeMap, requests: freeMap } },
};

const podSpec: StructSchema = {
  containers: { ...byName, struct: container },
  initContainers: { ...byName, struct: container },
  ephemeralContainers: { ...byName, struct: container },
  volumes: { ...byName, retainKeys: true },
  imagePullSecrets: byName,
  hostAliases: { list: 'merge', key: 'ip' },
  topologySpreadConstraints: { list: 'merge', key: 'topologyKey', keys: ['topologyKey', 'whenUnsatisfiable'] },
  schedulingGates: byName,
  resourceClaims: { ...byName, retainKeys: true },
  nodeSelector: freeMap,
  overhead: freeMap,
};

const podTemplate: FieldSchema = { struct: { metadata: { struct: objectMeta }, spec: { struct: podSpec } } };
const atomicSelector: FieldSchema = { atomic: true };
const statusWithConditions: FieldSchema = { struct: { conditions } };

function kindRoot(spec?: StructSchema, status: FieldSchema = statusWithConditions): StructSchema {
  const root: StructSchema = { metadata: { struct: objectMeta }, status };
  if (spec) root.spec = { struct: spec };
  return root;
}

const workloadSpec: StructSchema = { template: podTemplate, selector: atomicSelector };

const ROOTS: Record<string, StructSchema> = {
  Pod: kindRoot(podSpec, { struct: { conditions, podIPs: { list: 'merge', key: 'ip' }, hostIPs: { list: 'merge', key: 'ip' } } }),
  PodTemplate: { metadata: { struct: objectMeta }, template: podTemplate },
  Deployment: kindRoot({ ...workloadSpec, strategy: { retainKeys: true } }),
  ReplicaSet: kindRoot(workloadSpec),
  DaemonSet: kindRoot(workloadSpec),
  StatefulSet: kindRoot(workloadSpec),
  ReplicationController: kindRoot({ template: podTemplate, selector: freeMap }),
  Job: kindRoot(workloadSpec),
  CronJob: kindRoot({ jobTemplate: { struct: { metadata: { struct: objectMeta }, spec: { struct: workloadSpec } } } }),
  Service: kindRoot({
    ports: { list: 'merge', key: 'port', keys: ['port', 'protocol'], keyDefaults: { protocol: 'TCP' } },
    selector: freeMap,
  }),
  Node: kindRoot({ podCIDRs: { list: 'merge' } }, {
    struct: { conditions, addresses: { list: 'merge', key: 'type' }, capacity: freeMap, allocatable: freeMap },
  }),
  ConfigMap: { metadata: { struct: objectMeta }, data: freeMap, binaryData: freeMap },
  Secret: { metadata: { struct: objectMeta }, data: freeMap, stringData: freeMap },
  PersistentVolumeClaim: kindRoot({ resources: { struct: { requests: freeMap, limits: freeMap } }, selector: atomicSelector }),
  PersistentVolume: kindRoot({ capacity: freeMap }),
  ServiceAccount: { metadata: { struct: objectMeta }, secrets: byName, imagePullSecrets: byName },
  ResourceQuota: kindRoot({ hard: freeMap }, { struct: { hard: freeMap, used: freeMap } }),
  PodDisruptionBudget: kindRoot({ selector: { atomic: true, replace: true } }),
};

const DEFAULT_ROOT = kindRoot();

/** The schema of a kind's top-level object; unknown kinds get metadata and status conditions only. */
export function schemaForKind(kind: string): StructSchema {
  return ROOTS[kind] ?? DEFAULT_ROOT;
}


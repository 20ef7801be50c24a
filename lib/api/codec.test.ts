import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toWire, fromWire, messageType, encodeBytes, decodeBytes, objectToPlain, objectFromPlain, envelopeField } from './codec.js';
import { isApiError } from '../errors.js';
import type { KObject } from './object.js';

const deployment: KObject = {
  apiVersion: 'apps/v1', kind: 'Deployment',
  metadata: {
    name: 'kubia', namespace: 'default', uid: '7c1e', resourceVersion: '42', generation: 3,
    creationTimestamp: '2026-11-22T10:00:00Z', labels: { app: 'kubia' }, annotations: { 'deployment.kubernetes.io/revision': '2' },
    managedFields: [{ manager: 'kubectl-client-side-apply', operation: 'Update', apiVersion: 'apps/v1', time: '2026-11-22T10:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:replicas': {}, 'f:template': { 'f:spec': { 'k:{"name":"nodejs"}': { '.': {} } } } } } }],
  },
  spec: {
    replicas: 0, minReadySeconds: 10, revisionHistoryLimit: 10, paused: false,
    selector: { matchLabels: { app: 'kubia' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['web'] }] },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: '25%' } },
    template: {
      metadata: { labels: { app: 'kubia' } },
      spec: {
        containers: [{
          name: 'nodejs', image: 'luksa/kubia:v2', imagePullPolicy: 'IfNotPresent',
          ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
          readinessProbe: { httpGet: { path: '/', port: 'http', scheme: 'HTTP' }, periodSeconds: 1, initialDelaySeconds: 0, failureThreshold: 3 },
        }],
        terminationGracePeriodSeconds: 30, restartPolicy: 'Always', dnsPolicy: 'ClusterFirst',
      },
    },
  },
  status: { observedGeneration: 3, replicas: 3, updatedReplicas: 3, readyReplicas: 0, availableReplicas: 3, conditions: [{ type: 'Available', status: 'True', lastUpdateTime: '2026-11-22T10:00:05Z', lastTransitionTime: '2026-11-22T10:00:05Z', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' }] },
};

const pod: KObject = {
  apiVersion: 'v1', kind: 'Pod',
  metadata: { name: 'web-0', namespace: 'default', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'u1', controller: true, blockOwnerDeletion: true }], finalizers: ['kubesim.io/test'], deletionTimestamp: '2026-11-22T10:01:00Z', deletionGracePeriodSeconds: 0 },
  spec: {
    hostname: 'web-0', subdomain: 'nginx', nodeName: 'node-1', priority: 0, schedulerName: 'default-scheduler', shareProcessNamespace: true,
    nodeSelector: { disk: 'ssd' },
    initContainers: [{ name: 'init', image: 'busybox', command: ['sh', '-c', 'echo hi'] }],
    containers: [{
      name: 'c', image: 'nginx', args: ['-g', 'daemon off;'], workingDir: '/srv',
      env: [{ name: 'A', value: '' }, { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }, { name: 'K', valueFrom: { configMapKeyRef: { name: 'cm', key: 'k', optional: false } } }],
      envFrom: [{ prefix: 'X_', secretRef: { name: 's' } }],
      resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '1', memory: '128Mi' } },
      volumeMounts: [{ name: 'data', mountPath: '/data', readOnly: true }],
      livenessProbe: { exec: { command: ['cat', '/tmp/healthy'] }, initialDelaySeconds: 5, timeoutSeconds: 1 },
      startupProbe: { tcpSocket: { port: 80 } },
      readinessProbe: { grpc: { port: 9000 } },
      lifecycle: { preStop: { exec: { command: ['sleep', '1'] } }, postStart: { httpGet: { port: 80, path: '/hook' } } },
      securityContext: { runAsUser: 0, privileged: false, capabilities: { add: ['NET_ADMIN'] } },
    }],
    volumes: [{ name: 'data', emptyDir: { medium: 'Memory', sizeLimit: '1Gi' } }, { name: 'cfg', configMap: { name: 'cm', defaultMode: 420, items: [{ key: 'a', path: 'a.txt' }] } }, { name: 'nfs', nfs: { server: '10.0.0.1', path: '/x' } }],
    affinity: {
      nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }] }, preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, preference: { matchExpressions: [{ key: 'gpu', operator: 'Exists' }] } }] },
      podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'kubernetes.io/hostname' }] },
    },
    tolerations: [{ key: 'node-role.kubernetes.io/master', operator: 'Exists', effect: 'NoSchedule' }, { key: 'x', operator: 'Equal', value: 'y', effect: 'NoExecute', tolerationSeconds: 300 }],
    topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'web' } } }],
    dnsConfig: { nameservers: ['1.2.3.4'], options: [{ name: 'ndots', value: '2' }] },
  },
  status: {
    phase: 'Running', podIP: '10.244.1.5', podIPs: [{ ip: '10.244.1.5' }], hostIP: '10.200.0.11', qosClass: 'Burstable', startTime: '2026-11-22T10:00:00Z',
    conditions: [{ type: 'Ready', status: 'False', lastProbeTime: '2026-11-22T10:00:00Z', lastTransitionTime: '2026-11-22T10:00:00Z' }],
    containerStatuses: [{ name: 'c', ready: false, restartCount: 2, started: true, image: 'nginx', imageID: 'kubesim://nginx', containerID: 'kubesim://abc', state: { running: { startedAt: '2026-11-22T10:00:01Z' } }, lastState: { terminated: { exitCode: 137, reason: 'OOMKilled', startedAt: '2026-11-22T09:59:00Z', finishedAt: '2026-11-22T10:00:00Z' } } }],
  },
};

const service: KObject = {
  apiVersion: 'v1', kind: 'Service', metadata: { name: 'kubia', namespace: 'default' },
  spec: { type: 'NodePort', clusterIP: '10.96.0.20', clusterIPs: ['10.96.0.20'], selector: { app: 'kubia' }, sessionAffinity: 'ClientIP', ports: [{ name: 'http', port: 80, targetPort: 'http', nodePort: 30123, protocol: 'TCP' }, { name: 'raw', port: 81, targetPort: 8081 }] },
  status: { loadBalancer: {} },
};

const node: KObject = {
  apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1' },
  spec: { podCIDR: '10.244.1.0/24', podCIDRs: ['10.244.1.0/24'], taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }] },
  status: {
    capacity: { cpu: '2', memory: '4Gi', pods: '110' }, allocatable: { cpu: '1900m', memory: '3Gi', pods: '110' },
    addresses: [{ type: 'InternalIP', address: '10.200.0.11' }, { type: 'Hostname', address: 'node-1' }],
    conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: '2026-11-22T10:00:00Z' }],
    daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
    nodeInfo: { kubeletVersion: 'v1.32.0-kubesim', osImage: 'Debian', architecture: 'amd64', operatingSystem: 'linux' },
  },
};

function roundTrip(obj: KObject): KObject {
  const dropped: string[] = [];
  const msg = toWire(obj.kind as string, obj, dropped);
  assert.deepEqual(dropped, [], 'no field dropped');
  // through bytes, as on the wire
  const type = messageType(obj.kind as string);
  const again = type.decode(type.encode(msg).finish());
  return fromWire(again);
}

test('round-trips a Deployment with named/int IntOrString, managedFields and zero values', () => {
  assert.deepEqual(roundTrip(deployment), deployment);
});

test('round-trips a Pod with resources, probes, affinity, volumes and container states', () => {
  assert.deepEqual(roundTrip(pod), pod);
});

test('round-trips a Service with targetPort as name and number, and a Node with quantity maps', () => {
  assert.deepEqual(roundTrip(service), service);
  assert.deepEqual(roundTrip(node), node);
});

test('a bare JSON number quantity becomes its string; JSON null is unset', () => {
  const obj: KObject = { kind: 'Pod', metadata: { name: 'p', creationTimestamp: null as unknown as string }, spec: { containers: [{ name: 'c', resources: { limits: { cpu: 2, memory: 0.5 } } }] } };
  const back = fromWire(toWire('Pod', obj));
  assert.deepEqual(back, { kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', resources: { limits: { cpu: '2', memory: '0.5' } } }] } });
});

test('fields unknown to the proto are listed as dropped', () => {
  const obj: KObject = { kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', restartPolicyRules: [{ action: 'Restart' }] }], resourceClaims: [] }, extra: 1 };
  const dropped: string[] = [];
  toWire('Pod', obj, dropped);
  assert.deepEqual(dropped.sort(), ['extra', 'spec.containers[0].restartPolicyRules', 'spec.resourceClaims']);
});

test('documented normalisations: empty lists and maps read back as unset', () => {
  const obj: KObject = { kind: 'Pod', metadata: { name: 'p', finalizers: [], labels: {} }, spec: { containers: [] } };
  assert.deepEqual(fromWire(toWire('Pod', obj)), { kind: 'Pod', metadata: { name: 'p' }, spec: {} });
});

test('a wrong JSON type is a BadRequest ApiError naming the field', () => {
  assert.throws(() => toWire('Service', { kind: 'Service', spec: { ports: [{ port: '80' }] } }), (err: unknown) => isApiError(err, 'BadRequest') && /spec\.ports\[0\]\.port/.test(err.message));
  assert.throws(() => toWire('Pod', { kind: 'Pod', spec: { containers: [{ ports: [{ containerPort: 1.5 }] }] } }), (err: unknown) => isApiError(err, 'BadRequest'));
  assert.throws(() => toWire('Service', { kind: 'Service', spec: { ports: [{ port: 2 ** 31 }] } }), (err: unknown) => isApiError(err, 'BadRequest') && /overflows int32/.test(err.message));
  assert.equal((fromWire(toWire('Pod', { kind: 'Pod', spec: { activeDeadlineSeconds: 2 ** 40 } })).spec as { activeDeadlineSeconds: number }).activeDeadlineSeconds, 2 ** 40, 'int64 keeps large values');
  assert.throws(() => toWire('Deployment', { kind: 'Deployment', spec: { strategy: { rollingUpdate: { maxSurge: true } } } }), (err: unknown) => isApiError(err, 'BadRequest'));
});

test('the envelope is typed when lossless and raw JSON otherwise, both decoding to the same object', () => {
  assert.ok('deployment' in objectToPlain(deployment));
  const custom: KObject = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { size: 3 } };
  const withUnknown: KObject = { ...service, spec: { ...(service.spec as object), futureField: 'x' } };
  const eventsV1: KObject = { apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: { name: 'e' }, note: 'hi' };
  const badType: KObject = { kind: 'Service', spec: { ports: [{ port: '80' }] } };
  const envelope = messageType('Object');
  for (const obj of [custom, withUnknown, eventsV1, badType, deployment, pod]) {
    const plain = objectToPlain(obj);
    const typed = !('raw' in plain);
    assert.equal(typed, obj === deployment || obj === pod, `typed envelope for ${obj.kind}`);
    assert.deepEqual(objectFromPlain(decodeBytes(envelope, encodeBytes(envelope, plain))), obj);
  }
  assert.equal(envelopeField('HorizontalPodAutoscaler'), 'horizontalPodAutoscaler');
  assert.equal(envelopeField('Widget'), undefined);
  assert.throws(() => objectFromPlain({}), (err: unknown) => isApiError(err, 'BadRequest'));
});

test('round-trips a PodDisruptionBudget (IntOrString, map of times) and a NetworkPolicy', () => {
  const pdb: KObject = { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'pdb' }, spec: { minAvailable: '50%', selector: { matchLabels: { app: 'web' } } }, status: { disruptionsAllowed: 0, disruptedPods: { 'web-0': '2026-11-22T10:00:00Z' } } };
  const np: KObject = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'np' }, spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ ipBlock: { cidr: '10.244.0.0/16', except: ['10.244.1.0/24'] } }, { namespaceSelector: { matchLabels: { team: 'a' } } }], ports: [{ protocol: 'TCP', port: 'http' }, { port: 8080, endPort: 8090 }] }] } };
  assert.deepEqual(roundTrip(pdb), pdb);
  assert.deepEqual(roundTrip(np), np);
});

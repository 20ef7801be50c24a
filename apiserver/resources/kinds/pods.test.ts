import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinResources } from '../index.js';
import { podQOSClass, POD_UPDATE_FORBIDDEN } from './pods.js';
import { invalid } from '../../../lib/errors.js';
import type { Pod } from '../../../lib/api/types.js';

const def = builtinResources().find((d) => d.resource === 'pods' && d.group === '')!;
const base = (): Pod => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'default' }, spec: { containers: [{ name: 'web', image: 'nginx', ports: [{ containerPort: 80 }] }] } });
const defaulted = (p = base()) => { def.defaults!(p); return p; };
const errors = (p: Pod) => def.validateCreate!(p).map((e) => `${e.field}|${e.type}|${e.message}`);

test('pod defaults as Kubernetes', () => {
  const p = defaulted();
  assert.equal(p.spec!.restartPolicy, 'Always');
  assert.equal(p.spec!.dnsPolicy, 'ClusterFirst');
  assert.equal(p.spec!.terminationGracePeriodSeconds, 30);
  assert.equal(p.spec!.schedulerName, 'default-scheduler');
  assert.equal(p.spec!.enableServiceLinks, true);
  assert.deepEqual(p.spec!.securityContext, {});
  assert.equal(p.spec!.serviceAccountName, 'default');
  const c = p.spec!.containers![0];
  assert.equal(c.imagePullPolicy, 'Always');
  assert.equal(c.terminationMessagePath, '/dev/termination-log');
  assert.equal(c.terminationMessagePolicy, 'File');
  assert.equal(c.ports![0].protocol, 'TCP');
  assert.deepEqual(c.resources, {});
});

test('imagePullPolicy depends on the tag', () => {
  const pull = (image: string) => { const p = base(); p.spec!.containers![0].image = image; return defaulted(p).spec!.containers![0].imagePullPolicy; };
  assert.equal(pull('nginx'), 'Always');
  assert.equal(pull('nginx:latest'), 'Always');
  assert.equal(pull('nginx:1.25'), 'IfNotPresent');
  assert.equal(pull('localhost:5000/app'), 'Always');
  assert.equal(pull('localhost:5000/app:v1'), 'IfNotPresent');
  assert.equal(pull('busybox@sha256:abc'), 'IfNotPresent');
});

test('limits alone become requests; probes get defaults; empty volumes become emptyDir', () => {
  const p = base();
  p.spec!.containers![0].resources = { limits: { cpu: '500m', memory: '128Mi' } };
  p.spec!.containers![0].livenessProbe = { httpGet: { port: 80 } };
  p.spec!.volumes = [{ name: 'scratch' }, { name: 'cfg', configMap: { name: 'c' } }];
  defaulted(p);
  assert.deepEqual(p.spec!.containers![0].resources!.requests, { cpu: '500m', memory: '128Mi' });
  assert.deepEqual(p.spec!.containers![0].livenessProbe, { httpGet: { port: 80, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
  assert.deepEqual(p.spec!.volumes[0], { name: 'scratch', emptyDir: {} });
  assert.equal(p.spec!.volumes[1].configMap!.defaultMode, 420);
});

test('empty strings and zero probe ints count as unset, as in Kubernetes (Go zero values)', () => {
  const p = base();
  p.spec!.restartPolicy = '';
  p.spec!.containers![0].ports![0].protocol = '';
  p.spec!.containers![0].readinessProbe = { tcpSocket: { port: 80 }, timeoutSeconds: 0, periodSeconds: 0 };
  defaulted(p);
  assert.equal(p.spec!.restartPolicy, 'Always');
  assert.equal(p.spec!.containers![0].ports![0].protocol, 'TCP');
  assert.equal(p.spec!.containers![0].readinessProbe!.timeoutSeconds, 1);
  assert.equal(p.spec!.containers![0].readinessProbe!.periodSeconds, 10);
  const g = base();
  g.spec!.terminationGracePeriodSeconds = 0;
  assert.equal(defaulted(g).spec!.terminationGracePeriodSeconds, 0, 'a pointer field keeps an explicit 0');
});

test('a valid pod has no errors', () => {
  assert.deepEqual(errors(defaulted()), []);
});

test('required fields and names', () => {
  const p = defaulted();
  p.spec!.containers = [];
  assert.deepEqual(errors(p), ['spec.containers|FieldValueRequired|']);
  const q = base();
  q.spec!.containers = [{ name: '', image: '' }, { name: 'Web_1', image: 'x' }, { name: 'a', image: 'x' }, { name: 'a', image: 'y' }];
  const e = errors(defaulted(q));
  assert.ok(e.includes('spec.containers[0].name|FieldValueRequired|'));
  assert.ok(e.includes('spec.containers[0].image|FieldValueRequired|'));
  assert.ok(e.some((x) => x.startsWith("spec.containers[1].name|FieldValueInvalid|a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')")), e.join('\n'));
  assert.ok(e.includes('spec.containers[3].name|FieldValueDuplicate|'));
});

test('ports: range, protocol, unique names; the same containerPort in two containers is allowed', () => {
  const p = base();
  p.spec!.containers![0].ports = [{ containerPort: 70000 }, { containerPort: 80, protocol: 'ICMP' }, { name: 'http', containerPort: 81 }, { name: 'http', containerPort: 82 }];
  const e = errors(defaulted(p));
  assert.ok(e.includes('spec.containers[0].ports[0].containerPort|FieldValueInvalid|must be between 1 and 65535, inclusive'), e.join('\n'));
  assert.ok(e.includes('spec.containers[0].ports[1].protocol|FieldValueNotSupported|supported values: "SCTP", "TCP", "UDP"'));
  assert.ok(e.includes('spec.containers[0].ports[3].name|FieldValueDuplicate|'));
  const two = base();
  two.spec!.containers!.push({ name: 'web2', image: 'nginx', ports: [{ containerPort: 80 }] });
  assert.deepEqual(errors(defaulted(two)), []);
  const msg = invalid('Pod', 'web', def.validateCreate!(defaulted(p))).message;
  assert.match(msg, /^Pod "web" is invalid: \[spec\.containers\[0\]\.ports\[0\]\.containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive, /);
});

test('restartPolicy, dnsPolicy and resources', () => {
  const p = defaulted();
  p.spec!.restartPolicy = 'Sometimes';
  p.spec!.containers![0].resources = { requests: { cpu: '2' }, limits: { cpu: '1', memory: 'lots' } };
  const e = errors(p);
  assert.ok(e.includes('spec.restartPolicy|FieldValueNotSupported|supported values: "Always", "OnFailure", "Never"'));
  assert.ok(e.includes("spec.containers[0].resources.limits[memory]|FieldValueInvalid|quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"), e.join('\n'));
  assert.ok(e.includes('spec.containers[0].resources.requests|FieldValueInvalid|must be less than or equal to cpu limit of 1'));
});

test('resource names must be standard or fully qualified', () => {
  const p = base();
  p.spec!.containers![0].resources = { limits: { cpu: '1', 'nvidia.com/gpu': '1', gpus: '1' } };
  // Defaulting copied the limits into requests, so both maps report the bad name, as Kubernetes does.
  assert.deepEqual(errors(defaulted(p)), ['limits', 'requests'].map((k) => `spec.containers[0].resources.${k}[gpus]|FieldValueInvalid|must be a standard resource type or fully qualified`));
});

test('env: one value source, supported downward-API fields and resources', () => {
  const p = base();
  p.spec!.containers![0].env = [
    { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
    { name: 'BAD_FIELD', valueFrom: { fieldRef: { fieldPath: 'spec.containers' } } },
    { name: 'CPU', valueFrom: { resourceFieldRef: { resource: 'limits.gpu' } } },
    { name: 'TWO', valueFrom: { configMapKeyRef: { name: 'c', key: 'k' }, secretKeyRef: { name: 's', key: 'k' } } },
    { name: '1BAD' },
  ];
  p.spec!.containers![0].envFrom = [{ configMapRef: { name: 'c' } }, {}];
  const e = errors(defaulted(p));
  assert.ok(e.some((x) => x.startsWith('spec.containers[0].env[2].valueFrom.fieldRef.fieldPath|FieldValueNotSupported|supported values: "metadata.name"')), e.join('\n'));
  assert.ok(e.some((x) => x.startsWith('spec.containers[0].env[3].valueFrom.resourceFieldRef.resource|FieldValueNotSupported|')));
  assert.ok(e.includes('spec.containers[0].env[4].valueFrom|FieldValueInvalid|may not have more than one field specified at a time'));
  assert.ok(e.some((x) => x.startsWith("spec.containers[0].env[5].name|FieldValueInvalid|a valid environment variable name must consist of alphabetic characters")));
  assert.ok(e.includes('spec.containers[0].envFrom[1]|FieldValueInvalid|must specify one of: `configMapRef` or `secretRef`'));
  assert.equal(e.length, 5, e.join('\n'));
});

test('volume modes and item paths', () => {
  const p = base();
  p.spec!.volumes = [{ name: 'cfg', configMap: { name: 'c', defaultMode: 0o1000, items: [{ key: 'k', path: '/etc/x' }, { key: 'k', path: '../x' }] } }];
  assert.deepEqual(errors(defaulted(p)), [
    'spec.volumes[0].configMap.defaultMode|FieldValueInvalid|must be a number between 0 and 0777 (octal), both inclusive',
    'spec.volumes[0].configMap.items[0].path|FieldValueInvalid|must be a relative path',
    "spec.volumes[0].configMap.items[1].path|FieldValueInvalid|must not contain '..'",
  ]);
});

test('volume mounts must name a volume', () => {
  const p = base();
  p.spec!.containers![0].volumeMounts = [{ name: 'data', mountPath: '/data' }];
  assert.deepEqual(errors(defaulted(p)), ['spec.containers[0].volumeMounts[0].name|FieldValueInvalid|not found']);
});

test('initial status: Pending with a QoS class', () => {
  const p = defaulted();
  (p as Pod).status = { phase: 'Running' };
  def.prepareForCreate!(p);
  assert.deepEqual(p.status, { phase: 'Pending', qosClass: 'BestEffort' });
});

test('QoS classes', () => {
  const spec = (resources: object) => ({ containers: [{ name: 'a', image: 'x', resources }] });
  assert.equal(podQOSClass(spec({})), 'BestEffort');
  assert.equal(podQOSClass(spec({ requests: { cpu: '100m' } })), 'Burstable');
  assert.equal(podQOSClass(spec({ requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1000m', memory: '1024Mi' } })), 'Guaranteed');
  assert.equal(podQOSClass(spec({ requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } })), 'Burstable');
  assert.equal(podQOSClass(spec({ limits: { cpu: '1' }, requests: { cpu: '1' } })), 'Burstable');
});

test('updates: image and tolerations additions allowed, other spec changes forbidden', () => {
  const old = defaulted();
  const img = structuredClone(old);
  img.spec!.containers![0].image = 'nginx:1.25';
  img.spec!.tolerations = [{ key: 'k', operator: 'Exists' }];
  img.spec!.activeDeadlineSeconds = 100;
  assert.deepEqual(def.validateUpdate!(img, old), []);
  const bad = structuredClone(old);
  bad.spec!.containers![0].ports![0].containerPort = 8080;
  assert.deepEqual(def.validateUpdate!(bad, old).map((e) => [e.field, e.type, e.message]), [['spec', 'FieldValueForbidden', POD_UPDATE_FORBIDDEN]]);
  const rm = structuredClone(img);
  rm.spec!.tolerations = [];
  assert.equal(def.validateUpdate!(rm, img).length, 1, 'removing a toleration is forbidden');
});

test('field selector values', () => {
  const p = defaulted();
  p.spec!.nodeName = 'node-1';
  p.status = { phase: 'Running', podIP: '10.244.1.2', nominatedNodeName: '' };
  const f = def.fieldValues!(p);
  assert.equal(f['spec.nodeName'], 'node-1');
  assert.equal(f['status.phase'], 'Running');
  assert.equal(f['status.podIP'], '10.244.1.2');
  assert.equal(f['spec.restartPolicy'], 'Always');
  assert.equal(f['spec.schedulerName'], 'default-scheduler');
  assert.equal(f['spec.serviceAccountName'], 'default');
  assert.equal(f['status.nominatedNodeName'], '');
});

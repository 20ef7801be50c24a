/**
 * The REST facade over raw HTTP against the apiserver process: Status errors with the right codes,
 * discovery, Table output, watch streaming (events, timeoutSeconds, 410 as an ERROR event),
 * metrics, health, and a clean SIGTERM while a watch is open.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { get, type IncomingMessage } from 'node:http';
import { Etcd3 } from 'etcd3';
import { waitFor } from '../../lib/testing/wait.js';
import { startCluster, type TestCluster } from './harness.js';

const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';

async function call(c: TestCluster, method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown>; type: string }> {
  const res = await fetch(c.url + path, { method, body: typeof body === 'string' || body === undefined ? body : new Blob([new Uint8Array(body)]), headers: { 'content-type': 'application/json', ...headers } });
  const text = await res.text();
  let json: Record<string, unknown>;
  try { json = JSON.parse(text); } catch { throw new Error(`${method} ${path}: not JSON (${res.status}): ${text.slice(0, 200)}`); }
  return { status: res.status, json, type: res.headers.get('content-type') ?? '' };
}

/** A streaming GET: collects newline-delimited JSON events until closed. */
function stream(c: TestCluster, path: string, accept = 'application/json'): { events: Record<string, any>[]; ended: Promise<void>; res: Promise<IncomingMessage>; close(): void } {
  const events: Record<string, any>[] = [];
  let req: ReturnType<typeof get>;
  const res = new Promise<IncomingMessage>((resolve, reject) => {
    req = get(c.url + path, { headers: { accept } }, resolve);
    req.on('error', reject);
  });
  const ended = res.then((r) => new Promise<void>((resolve) => {
    let buf = '';
    r.on('data', (d) => {
      buf += d;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) { events.push(JSON.parse(buf.slice(0, i))); buf = buf.slice(i + 1); }
    });
    r.on('end', () => resolve());
    r.on('close', () => resolve());
    r.on('error', () => resolve());
  }));
  return { events, ended, res, close: () => req.destroy() };
}

const cm = (ns: string, name: string, extra: Record<string, unknown> = {}) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns }, data: { a: '1' }, ...extra });

test('REST facade over raw HTTP', async (t) => {
  const c = await startCluster();
  t.after(() => c.stop());
  const ns = `ksimt-${randomBytes(3).toString('hex')}`;
  assert.equal((await call(c, 'POST', '/api/v1/namespaces', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }))).status, 201);
  t.after(() => call(c, 'DELETE', `/api/v1/namespaces/${ns}`).catch(() => undefined));
  const base = `/api/v1/namespaces/${ns}/configmaps`;

  await t.test('errors are Status objects with Kubernetes codes and reasons', async () => {
    const expectStatus = async (p: Promise<{ status: number; json: Record<string, unknown> }>, code: number, reason: string, message?: RegExp) => {
      const r = await p;
      assert.equal(r.status, code, JSON.stringify(r.json));
      assert.equal(r.json.kind, 'Status');
      assert.equal(r.json.reason, reason);
      assert.equal(r.json.code, code);
      if (message) assert.match(String(r.json.message), message);
    };
    await expectStatus(call(c, 'GET', '/no/such/path'), 404, 'NotFound');
    await expectStatus(call(c, 'GET', '/api/v1/frobnicators'), 404, 'NotFound');
    await expectStatus(call(c, 'GET', '/apis/nope.example.com/v1'), 404, 'NotFound');
    await expectStatus(call(c, 'GET', `/api/v1/namespaces/${ns}/nodes`), 404, 'NotFound');
    await expectStatus(call(c, 'GET', `${base}/missing`), 404, 'NotFound', /configmaps "missing" not found/);
    await expectStatus(call(c, 'POST', base, '{"apiVersion": "v1", "kind": '), 400, 'BadRequest', /JSON/);
    await expectStatus(call(c, 'POST', base, JSON.stringify({ apiVersion: 'apps/v1', kind: 'ConfigMap', metadata: { name: 'x' } })), 400, 'BadRequest', /API version/);
    await expectStatus(call(c, 'POST', base, JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x' } })), 400, 'BadRequest', /kind/);
    await expectStatus(call(c, 'POST', base, cm('other-ns', 'x')), 400, 'BadRequest', /namespace/);
    await expectStatus(call(c, 'POST', base, Buffer.alloc(3 * 1024 * 1024 + 10, 0x20)), 413, 'RequestEntityTooLarge');
    await expectStatus(call(c, 'PATCH', `${base}/x`, '{}', { 'content-type': 'text/plain' }), 415, 'UnsupportedMediaType');
    await expectStatus(call(c, 'DELETE', `${base}/x?propagationPolicy=Sometimes`), 400, 'BadRequest', /propagationPolicy/);
    await expectStatus(call(c, 'GET', `${base}?limit=abc`), 400, 'BadRequest', /limit/);
    await expectStatus(call(c, 'POST', `${base}?dryRun=Maybe`, cm(ns, 'x')), 400, 'BadRequest', /dry run/);
    await expectStatus(call(c, 'PUT', base, cm(ns, 'x')), 405, 'MethodNotAllowed');
    await expectStatus(call(c, 'POST', `${base}/x`, cm(ns, 'x')), 405, 'MethodNotAllowed');
    await expectStatus(call(c, 'PATCH', `${base}/x`, '{}', { 'content-type': 'application/apply-patch+yaml' }), 400, 'BadRequest', /fieldManager/);
    await call(c, 'POST', `/api/v1/namespaces/${ns}/pods`, JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } }));
    await expectStatus(call(c, 'GET', `/api/v1/namespaces/${ns}/pods/p/log`), 400, 'BadRequest', /does not have a host assigned/);
    await expectStatus(call(c, 'POST', `/api/v1/namespaces/${ns}/pods/p/exec?command=ls`), 400, 'BadRequest', /Upgrade request required/);
  });

  await t.test('YAML bodies, dryRun, update name checks', async () => {
    const yaml = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-yaml\ndata:\n  k: v\n`;
    const created = await call(c, 'POST', base, yaml, { 'content-type': 'application/yaml' });
    assert.equal(created.status, 201);
    assert.deepEqual(created.json.data, { k: 'v' });
    const dry = await call(c, 'POST', `${base}?dryRun=All`, cm(ns, 'dry'));
    assert.equal(dry.status, 201);
    assert.equal((await call(c, 'GET', `${base}/dry`)).status, 404);
    const renamed = await call(c, 'PUT', `${base}/from-yaml`, cm(ns, 'other-name'));
    assert.equal(renamed.status, 400);
    assert.match(String(renamed.json.message), /does not match the name on the URL/);
  });

  await t.test('discovery: version, legacy and aggregated documents', async () => {
    const v = await call(c, 'GET', '/version');
    assert.match(await (await fetch(`${c.url}/version?pretty=true`)).text(), /^\{\n  "major": "1",/);
    assert.match(await (await fetch(`${c.url}/version`, { headers: { 'user-agent': 'curl/8.0' } })).text(), /^\{\n  "major"/);
    assert.match(await (await fetch(`${c.url}/version`)).text(), /^\{"major":"1"/);
    assert.match(String(v.json.gitVersion), /^v1\.\d+\.\d+-kubesim$/);
    assert.deepEqual((await call(c, 'GET', '/api')).json.versions, ['v1']);
    const core = (await call(c, 'GET', '/api/v1')).json as { resources: { name: string; namespaced: boolean; kind: string }[] };
    const names = core.resources.map((r) => r.name);
    for (const n of ['pods', 'pods/status', 'pods/binding', 'pods/log', 'services', 'configmaps', 'namespaces', 'nodes']) assert.ok(names.includes(n), n);
    assert.equal(core.resources.find((r) => r.name === 'nodes')?.namespaced, false);
    const groups = (await call(c, 'GET', '/apis')).json as { groups: { name: string }[] };
    assert.ok(groups.groups.some((g) => g.name === 'apps'));
    const apps = (await call(c, 'GET', '/apis/apps/v1')).json as { resources: { name: string; kind: string; group?: string }[] };
    assert.equal(apps.resources.find((r) => r.name === 'deployments/scale')?.kind, 'Scale');
    const agg = await call(c, 'GET', '/apis', undefined, { accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json' });
    assert.equal(agg.type, 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
    assert.equal(agg.json.kind, 'APIGroupDiscoveryList');
  });

  await t.test('Table output for lists and single objects', async () => {
    const list = await call(c, 'GET', base, undefined, { accept: TABLE });
    assert.equal(list.json.kind, 'Table');
    const cols = (list.json.columnDefinitions as { name: string }[]).map((x) => x.name);
    assert.equal(cols[0], 'Name');
    const rows = list.json.rows as { cells: unknown[]; object: { kind: string; metadata: { name: string } } }[];
    assert.ok(rows.some((r) => r.cells[0] === 'from-yaml'));
    assert.equal(rows[0].object.kind, 'PartialObjectMetadata');
    const full = await call(c, 'GET', `${base}/from-yaml?includeObject=Object`, undefined, { accept: TABLE });
    assert.equal((full.json.rows as { object: { kind: string } }[])[0].object.kind, 'ConfigMap');
  });

  await t.test('watch streams events per line, with Tables when asked, and ends at timeoutSeconds', async () => {
    const list = await call(c, 'GET', base);
    const rv = (list.json.metadata as { resourceVersion: string }).resourceVersion;
    const plain = stream(c, `${base}?watch=1&resourceVersion=${rv}`);
    const table = stream(c, `${base}?watch=true&resourceVersion=${rv}`, TABLE);
    try {
      const r = await plain.res;
      assert.equal(r.statusCode, 200);
      assert.match(String(r.headers['content-type']), /application\/json/);
      await call(c, 'POST', base, cm(ns, 'w1'));
      await call(c, 'PATCH', `${base}/w1`, '{"data":{"a":"2"}}', { 'content-type': 'application/merge-patch+json' });
      await call(c, 'DELETE', `${base}/w1`);
      await waitFor('three events', () => plain.events.length >= 3 && table.events.length >= 3);
      assert.deepEqual(plain.events.map((e) => e.type), ['ADDED', 'MODIFIED', 'DELETED']);
      assert.equal(plain.events[1].object.data.a, '2');
      assert.deepEqual(table.events.map((e) => e.object.kind), ['Table', 'Table', 'Table']);
      assert.ok(table.events[0].object.columnDefinitions?.length > 0, 'first Table carries the columns');
      assert.equal(table.events[1].object.columnDefinitions, undefined, 'later Tables do not');
      assert.equal(table.events[2].object.rows[0].cells[0], 'w1');
    } finally {
      plain.close();
      table.close();
    }
    const started = Date.now();
    const short = stream(c, `${base}?watch=1&timeoutSeconds=1`);
    await short.ended;
    assert.ok(Date.now() - started >= 900, 'stream lasted about timeoutSeconds');
  });

  await t.test('a watch from a compacted revision gets a 410 ERROR event in the stream', async () => {
    const etcd = new Etcd3({ hosts: c.etcd.endpoint });
    try {
      for (let i = 0; i < 3; i++) await call(c, 'POST', base, cm(ns, `filler-${i}`));
      const head = await etcd.get('/kubesim/none').exec();
      await etcd.kv.compact({ revision: head.header.revision, physical: true });
      // Revision 1 predates the watch cache's window and is compacted away: Kubernetes answers 410.
      const s = stream(c, `${base}?watch=1&resourceVersion=1`);
      try {
        assert.equal((await s.res).statusCode, 200);
        await waitFor('ERROR event', () => s.events.find((e) => e.type === 'ERROR') ?? (s.events.length > 0 && assert.fail(JSON.stringify(s.events))));
        const err = s.events.find((e) => e.type === 'ERROR')!;
        assert.equal(err.object.kind, 'Status');
        assert.equal(err.object.code, 410);
        assert.equal(err.object.reason, 'Expired');
        await s.ended;
      } finally {
        s.close();
      }
    } finally {
      etcd.close();
    }
  });

  await t.test('pod binding and eviction subresources, deletecollection', async () => {
    const pods = `/api/v1/namespaces/${ns}/pods`;
    const pod = (name: string) => JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
    assert.equal((await call(c, 'POST', pods, pod('bound'))).status, 201);
    const bind = await call(c, 'POST', `${pods}/bound/binding`, JSON.stringify({ apiVersion: 'v1', kind: 'Binding', metadata: { name: 'bound' }, target: { kind: 'Node', name: 'node-1' } }));
    assert.equal(bind.status, 201, JSON.stringify(bind.json));
    assert.equal(((await call(c, 'GET', `${pods}/bound`)).json.spec as { nodeName: string }).nodeName, 'node-1');
    const again = await call(c, 'POST', `${pods}/bound/binding`, JSON.stringify({ apiVersion: 'v1', kind: 'Binding', metadata: { name: 'bound' }, target: { kind: 'Node', name: 'node-2' } }));
    assert.equal(again.status, 409);
    const wrongKind = await call(c, 'POST', `${pods}/bound/binding`, JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'bound' } }));
    assert.equal(wrongKind.status, 400);
    assert.equal((await call(c, 'POST', pods, pod('evicted'))).status, 201);
    const evict = await call(c, 'POST', `${pods}/evicted/eviction`, JSON.stringify({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'evicted' }, deleteOptions: { gracePeriodSeconds: 0 } }));
    assert.equal(evict.status, 201, JSON.stringify(evict.json));
    await waitFor('evicted pod gone or terminating', async () => {
      const r = await call(c, 'GET', `${pods}/evicted`);
      return r.status === 404 || (r.json.metadata as { deletionTimestamp?: string }).deletionTimestamp;
    });
    for (const n of ['dc-1', 'dc-2']) await call(c, 'POST', base, cm(ns, n, { metadata: { name: n, namespace: ns, labels: { batch: 'dc' } } }));
    const removed = await call(c, 'DELETE', `${base}?labelSelector=batch%3Ddc`);
    assert.equal(removed.status, 200, JSON.stringify(removed.json));
    const left = (await call(c, 'GET', `${base}?labelSelector=batch%3Ddc`)).json as { items: unknown[] };
    assert.equal(left.items.length, 0);
  });

  await t.test('upgrade requests: Status errors on the raw socket, resets do not hurt the server', async () => {
    const { connect } = await import('node:net');
    const port = Number(new URL(c.url).port);
    const upgrade = (path: string, reset = false) => new Promise<string>((resolve) => {
      const s = connect(port, '127.0.0.1');
      let got = '';
      s.on('data', (d) => { got += d; });
      s.on('error', () => undefined);
      s.on('close', () => resolve(got));
      s.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: abc\r\nSec-WebSocket-Version: 13\r\n\r\n`);
      if (reset) s.resetAndDestroy();
    });
    assert.match(await upgrade(`/api/v1/namespaces/${ns}/pods/missing/exec?command=ls`), /^HTTP\/1\.1 404 [^]*pods \\"missing\\" not found/);
    assert.match(await upgrade(`/api/v1/namespaces/${ns}/pods/p/exec?command=ls`), /^HTTP\/1\.1 400 [^]*does not have a host assigned/);
    assert.match(await upgrade('/no/such/thing'), /^HTTP\/1\.1 404 /);
    await upgrade(`/api/v1/namespaces/${ns}/pods/p/exec?command=ls`, true);
    assert.equal((await fetch(`${c.url}/healthz`)).status, 200);
  });

  await t.test('metrics and health endpoints', async () => {
    for (const p of ['/healthz', '/livez', '/readyz']) {
      const r = await fetch(c.url + p);
      assert.equal(r.status, 200);
      assert.equal(await r.text(), 'ok');
    }
    assert.equal(await (await fetch(`${c.url}/readyz?verbose`)).text(), '[+]ping ok\n[+]etcd ok\nreadyz check passed\n');
    const m = await (await fetch(`${c.url}/metrics`)).text();
    assert.match(m, /apiserver_request_total\{verb="create",resource="configmaps",code="201"\} \d+/);
    assert.match(m, /apiserver_request_total\{verb="get",resource="configmaps",code="404"\} \d+/);
    assert.match(m, /apiserver_request_duration_seconds_bucket\{le="0.005",verb="list",resource="configmaps"\}/);
  });
});

test('SIGTERM with an open watch: the stream ends and the process exits 0', async (t) => {
  const c = await startCluster();
  t.after(() => c.stop());
  const s = stream(c, '/api/v1/namespaces/default/configmaps?watch=1');
  assert.equal((await s.res).statusCode, 200);
  const code = await c.stopApiserver();
  await s.ended;
  assert.equal(code, 0, c.logs().slice(-2000));
});

test('--token-auth-file and --authorization-mode=AlwaysDeny are enforced', async (t) => {
  const { writeFileSync, mkdtempSync, rmSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'ksimt-tok-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'tokens.csv');
  writeFileSync(file, 'secret-token,alice,1001,"devs"\n');
  const c = await startCluster(['--token-auth-file', file, '--authorization-mode', 'AlwaysDeny']);
  t.after(() => c.stop());
  const noToken = await fetch(`${c.url}/api/v1/namespaces/default/pods`);
  assert.equal(noToken.status, 401);
  assert.equal((await noToken.json()).reason, 'Unauthorized');
  const badToken = await fetch(`${c.url}/api/v1/pods`, { headers: { authorization: 'Bearer nope' } });
  assert.equal(badToken.status, 401);
  const denied = await fetch(`${c.url}/api/v1/namespaces/default/pods`, { headers: { authorization: 'Bearer secret-token' } });
  assert.equal(denied.status, 403);
  assert.match((await denied.json()).message, /User "alice" cannot list resource "pods" in API group "" in the namespace "default"/);
  assert.equal((await fetch(`${c.url}/healthz`, { headers: { authorization: 'Bearer secret-token' } })).status, 200);
});

test('readyz fails with a reason when etcd is gone, and the server keeps answering', async (t) => {
  const c = await startCluster(['--v', '0']);
  t.after(() => c.stop());
  assert.equal((await fetch(`${c.url}/readyz`)).status, 200);
  await c.etcd.stop();
  const body = await waitFor('readyz to fail', async () => {
    const r = await fetch(`${c.url}/readyz`);
    return r.status === 500 && r.text();
  }, { timeoutMs: 20_000 });
  assert.match(body, /\[-\]etcd failed/);
  assert.match(body, /readyz check failed/);
  assert.equal((await fetch(`${c.url}/version`)).status, 200);
});

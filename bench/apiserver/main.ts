/**
 * apiserver benchmark, one run, same machine, same JSON objects and client concurrency for every
 * path: pod creates/s through REST vs raw etcd puts (vs gRPC), LIST latency at 5,000 pods, and
 * watch fan-out (200 HTTP watchers: write → last watcher's event, p50/p99). Prints a markdown
 * table with the goals beside the measurements. Not part of `npm test`.
 */
import { Agent, request } from 'node:http';
import { Etcd3 } from 'etcd3';
import { ApiClient } from '../../lib/client/api-client.js';
import { startCluster, type TestCluster } from '../../test/apiserver/harness.js';

const CREATES = Number(process.env.BENCH_CREATES ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const LIST_PODS = Number(process.env.BENCH_LIST_PODS ?? 5000);
const WATCHERS = Number(process.env.BENCH_WATCHERS ?? 200);
const WATCH_WRITES = Number(process.env.BENCH_WATCH_WRITES ?? 50);

const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY + WATCHERS + 8 });

function pod(ns: string, name: string): Record<string, unknown> {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns, labels: { app: 'bench', tier: 'web' } },
    spec: { containers: [{ name: 'c', image: 'nginx:1.25', ports: [{ containerPort: 80 }], resources: { requests: { cpu: '10m', memory: '16Mi' } } }] },
  };
}

/** One HTTP request on the shared keep-alive agent; resolves with status and body. */
function http(c: TestCluster, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const url = new URL(path, c.url);
  const data = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path: url.pathname + url.search, method, agent, headers: { ...headers, ...(data ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(data)) } : {}) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

/** Runs `n` jobs with `concurrency` in flight; returns operations per second. */
async function throughput(n: number, concurrency: number, job: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    for (let i = next++; i < n; i = next++) await job(i);
  }));
  return n / ((performance.now() - started) / 1000);
}

function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

async function createNamespace(c: TestCluster, name: string): Promise<void> {
  const r = await http(c, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  if (r.status !== 201) throw new Error(`namespace ${name}: ${r.status} ${r.body}`);
}

async function restCreate(c: TestCluster, ns: string, name: string): Promise<void> {
  const r = await http(c, 'POST', `/api/v1/namespaces/${ns}/pods`, pod(ns, name));
  if (r.status !== 201) throw new Error(`create ${name}: ${r.status} ${r.body.slice(0, 200)}`);
}

interface Row { what: string; value: string; goal: string; verdict: string }

async function benchCreates(c: TestCluster, rows: Row[]): Promise<void> {
  const etcd = new Etcd3({ hosts: c.etcd.endpoint });
  const grpc = ApiClient.connect(`127.0.0.1:${c.grpcPort}`);
  try {
    await createNamespace(c, 'bench-rest');
    await createNamespace(c, 'bench-grpc');
    const raw = await throughput(CREATES, CONCURRENCY, async (i) => {
      await etcd.put(`/bench-raw/pods/bench-raw/p-${i}`).value(JSON.stringify(pod('bench-raw', `p-${i}`)));
    });
    const rest = await throughput(CREATES, CONCURRENCY, (i) => restCreate(c, 'bench-rest', `p-${i}`));
    const viaGrpc = await throughput(CREATES, CONCURRENCY, async (i) => { await grpc.create({ resource: 'pods', namespace: 'bench-grpc' }, pod('bench-grpc', `p-${i}`)); });
    const ratio = rest / raw;
    rows.push({ what: `raw etcd puts/s (${CREATES} pods, ${CONCURRENCY} in flight)`, value: raw.toFixed(0), goal: 'reference', verdict: '' });
    rows.push({ what: 'REST pod creates/s', value: `${rest.toFixed(0)} (${(ratio * 100).toFixed(0)}% of raw)`, goal: '≥ 50% of raw etcd', verdict: ratio >= 0.5 ? 'met' : 'NOT met' });
    rows.push({ what: 'gRPC pod creates/s', value: `${viaGrpc.toFixed(0)} (${((viaGrpc / raw) * 100).toFixed(0)}% of raw)`, goal: '(comparison)', verdict: '' });
  } finally {
    grpc.close();
    await etcd.delete().prefix('/bench-raw/');
    etcd.close();
  }
}

async function benchList(c: TestCluster, rows: Row[]): Promise<void> {
  await createNamespace(c, 'bench-list');
  await throughput(LIST_PODS, CONCURRENCY, (i) => restCreate(c, 'bench-list', `p-${i}`));
  const timings: number[] = [];
  for (let i = 0; i < 7; i++) {
    const t0 = performance.now();
    const r = await http(c, 'GET', '/api/v1/namespaces/bench-list/pods');
    timings.push(performance.now() - t0);
    const items = (JSON.parse(r.body) as { items: unknown[] }).items.length;
    if (items !== LIST_PODS) throw new Error(`list returned ${items} pods`);
  }
  const tables: number[] = [];
  for (let i = 0; i < 7; i++) {
    const t0 = performance.now();
    const r = await http(c, 'GET', '/api/v1/namespaces/bench-list/pods', undefined, { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' });
    tables.push(performance.now() - t0);
    if ((JSON.parse(r.body) as { rows: unknown[] }).rows.length !== LIST_PODS) throw new Error('table rows missing');
  }
  const paged: number[] = [];
  for (let i = 0; i < 7; i++) {
    const t0 = performance.now();
    await http(c, 'GET', '/api/v1/namespaces/bench-list/pods?limit=500');
    paged.push(performance.now() - t0);
  }
  rows.push({ what: `LIST ${LIST_PODS} pods (REST, full JSON) p50`, value: `${percentile(timings, 50).toFixed(1)} ms`, goal: '(measured)', verdict: '' });
  rows.push({ what: `LIST ${LIST_PODS} pods as a Table (kubectl get) p50`, value: `${percentile(tables, 50).toFixed(1)} ms`, goal: '(measured)', verdict: '' });
  rows.push({ what: 'LIST first page (limit=500) p50', value: `${percentile(paged, 50).toFixed(1)} ms`, goal: '(measured)', verdict: '' });
}

/** Opens `n` watch streams; calls onEvent(watcher, line) per event line. Returns closers. */
async function openWatchers(c: TestCluster, path: string, n: number, onEvent: (w: number, ev: { type: string; object: { data?: Record<string, string> } }) => void): Promise<Array<() => void>> {
  const url = new URL(path, c.url);
  return Promise.all(Array.from({ length: n }, (_, w) => new Promise<() => void>((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path: url.pathname + url.search, agent }, (res) => {
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        buf += d;
        let i;
        while ((i = buf.indexOf('\n')) >= 0) { onEvent(w, JSON.parse(buf.slice(0, i))); buf = buf.slice(i + 1); }
      });
      resolve(() => req.destroy());
    });
    req.on('error', (err) => { if (!req.destroyed) reject(err); });
    req.end();
  })));
}

async function benchWatch(c: TestCluster, rows: Row[]): Promise<void> {
  await createNamespace(c, 'bench-watch');
  const base = '/api/v1/namespaces/bench-watch/configmaps';
  const created = await http(c, 'POST', base, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'hot' }, data: { n: '0' } });
  const rv = (JSON.parse(created.body) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
  // Matched on the written value: events can arrive before the PUT's answer does.
  let pending: { n: string; seen: Set<number>; last: number; done: () => void } | undefined;
  const closers = await openWatchers(c, `${base}?watch=1&resourceVersion=${rv}`, WATCHERS, (w, ev) => {
    if (pending && ev.object.data?.n === pending.n) {
      pending.seen.add(w);
      pending.last = performance.now();
      if (pending.seen.size === WATCHERS) pending.done();
    }
  });
  const latencies: number[] = [];
  try {
    for (let i = 1; i <= WATCH_WRITES; i++) {
      const t0 = performance.now();
      const allSeen = new Promise<void>((resolve) => { pending = { n: String(i), seen: new Set(), last: 0, done: resolve }; });
      const p = pending!;
      const r = await http(c, 'PUT', `${base}/hot`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'hot' }, data: { n: String(i) } });
      if (r.status !== 200) throw new Error(`update: ${r.status} ${r.body.slice(0, 200)}`);
      const timeout = setTimeout(() => p.done(), 10_000);
      await allSeen;
      clearTimeout(timeout);
      if (p.seen.size < WATCHERS) throw new Error(`write ${i}: only ${p.seen.size}/${WATCHERS} watchers saw it`);
      latencies.push(p.last - t0);
    }
  } finally {
    for (const close of closers) close();
  }
  const p99 = percentile(latencies, 99);
  rows.push({ what: `watch fan-out: write → last of ${WATCHERS} watchers, p50`, value: `${percentile(latencies, 50).toFixed(1)} ms`, goal: '(measured)', verdict: '' });
  rows.push({ what: `watch fan-out p99 (${WATCH_WRITES} writes)`, value: `${p99.toFixed(1)} ms`, goal: '≤ 50 ms', verdict: p99 <= 50 ? 'met' : 'NOT met' });
}

async function main(): Promise<void> {
  const c = await startCluster(['--v', '0']);
  const rows: Row[] = [];
  try {
    await benchCreates(c, rows);
    await benchList(c, rows);
    await benchWatch(c, rows);
  } finally {
    agent.destroy();
    await c.stop();
  }
  console.log('| measurement | value | goal | verdict |');
  console.log('| --- | --- | --- | --- |');
  for (const r of rows) console.log(`| ${r.what} | ${r.value} | ${r.goal} | ${r.verdict} |`);
}

main().catch((err) => { console.error(err); process.exit(1); });

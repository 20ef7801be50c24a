/**
 * apiserver benchmark, one run, same machine, same JSON objects and client concurrency for every
 * path: pod creates/s through REST vs raw etcd puts (vs gRPC) after a warm-up, in rounds that
 * alternate the paths, with the CPU each process spends per operation; LIST latency at 5,000 pods;
 * watch fan-out (200 HTTP watchers: write → last watcher's event, p50/p99). Prints a markdown
 * table with the goals beside the measurements and the load average. Not part of `npm test`.
 * Env: BENCH_CREATES, BENCH_CONCURRENCY, BENCH_WARMUP, BENCH_ROUNDS, BENCH_SKIP_GRPC (REST vs raw only), BENCH_LIST_PODS, BENCH_WATCHERS, BENCH_WATCH_WRITES.
 */
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { loadavg } from 'node:os';
import { Etcd3 } from 'etcd3';
import { ApiClient } from '../../lib/client/api-client.js';
import { startCluster, type TestCluster } from '../../test/apiserver/harness.js';

const CREATES = Number(process.env.BENCH_CREATES ?? 3000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const LIST_PODS = Number(process.env.BENCH_LIST_PODS ?? 5000);
const WATCHERS = Number(process.env.BENCH_WATCHERS ?? 200);
const WATCH_WRITES = Number(process.env.BENCH_WATCH_WRITES ?? 200);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 5000); // per path: V8 needs a few thousand requests under load to optimize the apiserver's hot path
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CLOCK_TICKS = 100; // USER_HZ of /proc/<pid>/stat on Linux

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

/** CPU time (ms) a process has used so far, from /proc (the apiserver and etcd run as children). */
function cpuMs(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) * (1000 / CLOCK_TICKS);
}

interface Path { name: string; ops: number; seconds: number; cpu: { apiserver: number; etcd: number; client: number } }

/** Runs `n` jobs of one path, adding its time and the CPU each process spent to `p`. */
async function measure(c: TestCluster, p: Path, n: number, job: (i: number) => Promise<void>, offset: number): Promise<void> {
  const before = [cpuMs(c.process.pid!), cpuMs(c.etcd.process.pid!), process.cpuUsage()] as const;
  const rate = await throughput(n, CONCURRENCY, (i) => job(offset + i));
  const client = process.cpuUsage(before[2]);
  p.ops += n;
  p.seconds += n / rate;
  p.cpu.apiserver += cpuMs(c.process.pid!) - before[0];
  p.cpu.etcd += cpuMs(c.etcd.process.pid!) - before[1];
  p.cpu.client += (client.user + client.system) / 1000;
}

const perOp = (p: Path) => (p.cpu.apiserver + p.cpu.etcd + p.cpu.client) / p.ops;
const cpuText = (p: Path) => `${(p.cpu.apiserver / p.ops).toFixed(2)} / ${(p.cpu.etcd / p.ops).toFixed(2)} / ${(p.cpu.client / p.ops).toFixed(2)}`;

async function benchCreates(c: TestCluster, rows: Row[]): Promise<void> {
  const etcd = new Etcd3({ hosts: c.etcd.endpoint });
  const grpc = ApiClient.connect(`127.0.0.1:${c.grpcPort}`);
  try {
    await createNamespace(c, 'bench-rest');
    await createNamespace(c, 'bench-grpc');
    const path = (name: string): Path => ({ name, ops: 0, seconds: 0, cpu: { apiserver: 0, etcd: 0, client: 0 } });
    const raw = path('raw'); const rest = path('rest'); const viaGrpc = path('grpc');
    const jobs: [Path, (i: number) => Promise<void>][] = [
      [raw, (i) => etcd.put(`/bench-raw/pods/bench-raw/p-${i}`).value(JSON.stringify(pod('bench-raw', `p-${i}`))).then(() => undefined)],
      [rest, (i) => restCreate(c, 'bench-rest', `p-${i}`)],
      [viaGrpc, (i) => grpc.create({ resource: 'pods', namespace: 'bench-grpc' }, pod('bench-grpc', `p-${i}`)).then(() => undefined)],
    ];
    // Warm-up (JIT, connection pools) of every path, then rounds that alternate the paths so load swings hit all alike.
    if (process.env.BENCH_SKIP_GRPC) jobs.pop();
    for (const [p, job] of jobs) await measure(c, path(p.name), WARMUP, job, 1_000_000);
    const perRound = Math.ceil(CREATES / ROUNDS);
    for (let r = 0; r < ROUNDS; r++) for (const [p, job] of jobs) await measure(c, p, perRound, job, r * perRound);
    const rate = (p: Path) => p.ops / p.seconds;
    const ratio = rate(rest) / rate(raw);
    rows.push({ what: `raw etcd puts/s (${raw.ops} pods in ${ROUNDS} rounds, ${CONCURRENCY} in flight, after ${WARMUP} warm-up)`, value: rate(raw).toFixed(0), goal: 'reference', verdict: '' });
    rows.push({ what: 'REST pod creates/s', value: `${rate(rest).toFixed(0)} (${(ratio * 100).toFixed(0)}% of raw)`, goal: '≥ 50% of raw etcd', verdict: ratio >= 0.5 ? 'met' : 'NOT met' });
    rows.push({ what: 'gRPC pod creates/s', value: `${rate(viaGrpc).toFixed(0)} (${((rate(viaGrpc) / rate(raw)) * 100).toFixed(0)}% of raw)`, goal: '(comparison)', verdict: '' });
    rows.push({ what: 'CPU ms per raw put (apiserver / etcd / bench client)', value: cpuText(raw), goal: '(measured)', verdict: '' });
    rows.push({ what: 'CPU ms per REST create (apiserver / etcd / bench client)', value: cpuText(rest), goal: '(measured)', verdict: '' });
    // On a CPU-saturated machine throughput follows CPU cost, so this is the ratio to expect there.
    rows.push({ what: 'CPU cost ratio raw/REST (the throughput ratio once CPU-bound)', value: `${((perOp(raw) / perOp(rest)) * 100).toFixed(0)}%`, goal: '(explains the ratio under load)', verdict: '' });
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

/**
 * Opens `n` watch streams; calls onLine(watcher, line) per event line. Returns closers. Lines are
 * not parsed here: 200 watchers share this one process, and parsing every copy would measure the
 * client's JSON speed (the server's delivery is what counts).
 */
async function openWatchers(c: TestCluster, path: string, n: number, onLine: (w: number, line: string) => void): Promise<Array<() => void>> {
  const url = new URL(path, c.url);
  return Promise.all(Array.from({ length: n }, (_, w) => new Promise<() => void>((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path: url.pathname + url.search, agent }, (res) => {
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        buf += d;
        let i;
        while ((i = buf.indexOf('\n')) >= 0) { onLine(w, buf.slice(0, i)); buf = buf.slice(i + 1); }
      });
      resolve(() => req.destroy());
    });
    req.on('error', (err) => { if (!req.destroyed) reject(err); });
    req.end();
  })));
}

/** etcd's WAL fsync histogram (cumulative count per bucket bound in seconds) from its /metrics. */
async function walFsyncBuckets(c: TestCluster): Promise<Map<number, number>> {
  const text = await (await fetch(`${c.etcd.endpoint}/metrics`)).text();
  const buckets = new Map<number, number>();
  for (const m of text.matchAll(/^etcd_disk_wal_fsync_duration_seconds_bucket\{le="([^"]+)"\} (\S+)$/gm)) buckets.set(m[1] === '+Inf' ? Infinity : Number(m[1]), Number(m[2]));
  return buckets;
}

/** The bucket bound (ms) under which `p`% of the fsyncs between two histogram readings fall, and their count. */
function fsyncPercentile(before: Map<number, number>, after: Map<number, number>, p: number): { ms: number; count: number } {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const delta = (b: number) => (after.get(b) ?? 0) - (before.get(b) ?? 0);
  const count = delta(Infinity);
  const bound = bounds.find((b) => delta(b) >= (p / 100) * count) ?? Infinity;
  return { ms: bound * 1000, count };
}

async function benchWatch(c: TestCluster, rows: Row[]): Promise<void> {
  await createNamespace(c, 'bench-watch');
  const base = '/api/v1/namespaces/bench-watch/configmaps';
  const created = await http(c, 'POST', base, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'hot' }, data: { n: '0' } });
  const rv = (JSON.parse(created.body) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
  // Matched on the written value: events can arrive before the PUT's answer does.
  let pending: { marker: string; seen: Set<number>; first: number; last: number; done: () => void } | undefined;
  const closers = await openWatchers(c, `${base}?watch=1&resourceVersion=${rv}`, WATCHERS, (w, line) => {
    if (pending && line.includes(pending.marker)) {
      pending.seen.add(w);
      pending.last = performance.now();
      if (pending.seen.size === 1) pending.first = pending.last;
      if (pending.seen.size === WATCHERS) pending.done();
    }
  });
  const latencies: number[] = [];
  // Every write waits for etcd's WAL fsync: on a shared disk its tail shows in write → first watcher.
  const fsyncBefore = await walFsyncBuckets(c);
  const cpuBefore = cpuMs(c.process.pid!);
  // Split of each delivery: the write itself (HTTP + etcd commit + etcd watch) up to the first watcher, then the fan-out to the rest.
  const toFirst: number[] = [];
  const spreads: number[] = [];
  try {
    for (let i = 1; i <= WATCH_WRITES; i++) {
      const t0 = performance.now();
      const allSeen = new Promise<void>((resolve) => { pending = { marker: `"data":{"n":"${i}"}`, seen: new Set(), first: 0, last: 0, done: resolve }; });
      const p = pending!;
      const r = await http(c, 'PUT', `${base}/hot`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'hot' }, data: { n: String(i) } });
      if (r.status !== 200) throw new Error(`update: ${r.status} ${r.body.slice(0, 200)}`);
      const timeout = setTimeout(() => p.done(), 10_000);
      await allSeen;
      clearTimeout(timeout);
      if (p.seen.size < WATCHERS) throw new Error(`write ${i}: only ${p.seen.size}/${WATCHERS} watchers saw it`);
      latencies.push(p.last - t0);
      toFirst.push(p.first - t0);
      spreads.push(p.last - p.first);
    }
  } finally {
    for (const close of closers) close();
  }
  const apiserverCpu = (cpuMs(c.process.pid!) - cpuBefore) / WATCH_WRITES;
  const fsyncAfter = await walFsyncBuckets(c);
  const p99 = percentile(latencies, 99);
  rows.push({ what: `watch fan-out: write → last of ${WATCHERS} watchers, p50`, value: `${percentile(latencies, 50).toFixed(1)} ms`, goal: '(measured)', verdict: '' });
  rows.push({ what: 'of which write → first watcher p50 / p99', value: `${percentile(toFirst, 50).toFixed(1)} / ${percentile(toFirst, 99).toFixed(1)} ms`, goal: '(measured)', verdict: '' });
  rows.push({ what: `of which first → last of ${WATCHERS} watchers p50 / p99`, value: `${percentile(spreads, 50).toFixed(1)} / ${percentile(spreads, 99).toFixed(1)} ms`, goal: '(measured)', verdict: '' });
  const f50 = fsyncPercentile(fsyncBefore, fsyncAfter, 50);
  const f99 = fsyncPercentile(fsyncBefore, fsyncAfter, 99);
  rows.push({ what: `of which etcd WAL fsync p50 / p99 (histogram bucket bound, ${f99.count} fsyncs)`, value: `≤ ${f50.ms} / ≤ ${f99.ms} ms`, goal: '(measured: disk, not the apiserver)', verdict: '' });
  rows.push({ what: `apiserver CPU ms per write (the PUT + its event to ${WATCHERS} watchers)`, value: apiserverCpu.toFixed(2), goal: '(measured)', verdict: '' });
  rows.push({ what: `watch fan-out p99 (${WATCH_WRITES} writes)`, value: `${p99.toFixed(1)} ms`, goal: '≤ 50 ms', verdict: p99 <= 50 ? 'met' : 'NOT met' });
}

async function main(): Promise<void> {
  const loadBefore = loadavg();
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
  // 2 cores shared by several users: the figures only mean something next to the load they ran under.
  const fmt = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
  console.log(`\nload average (1/5/15 min): before ${fmt(loadBefore)}, after ${fmt(loadavg())}`);
}

main().catch((err) => { console.error(err); process.exit(1); });

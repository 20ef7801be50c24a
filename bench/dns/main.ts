#!/usr/bin/env node
/**
 * Cluster DNS benchmark: Debian's dnsperf against the DNS server (its own process, answering from
 * the DNS test fixtures) on 127.0.0.1, with a mix of cluster
 * names: ClusterIP A, headless A, SRV, pod A, NXDOMAIN, PTR. Goal: ≥ 20,000 queries/s.
 * Usage: node dist/bench/dns/main.js [--seconds 10] [--clients 4] [--out file.json]
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { run } from '../../lib/testing/netns.js';
import { freePort } from '../../lib/testing/ports.js';

const o = new Command('bench-dns')
  .option('--seconds <n>', 'seconds of load', '10')
  .option('--clients <n>', 'dnsperf clients (sockets)', '4')
  .option('--out <file>', 'write the results as JSON here (default bench/out/dns-<time>.json)')
  .parse(process.argv).opts();

const QUERIES = [
  'web.default.svc.cluster.local A', 'db.other.svc.cluster.local A', 'nginx.default.svc.cluster.local A',
  'web-0.nginx.default.svc.cluster.local A', '_http._tcp.web.default.svc.cluster.local SRV',
  '10-244-1-30.default.pod.cluster.local A', 'nope.default.svc.cluster.local A', 'web.default.svc.cluster.local AAAA',
  '20.0.96.10.in-addr.arpa PTR', 'ext.default.svc.cluster.local A',
];

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ksimt-bench-dns-'));
  const port = await freePort();
  const server = spawn(process.execPath, [fileURLToPath(new URL('../../dns/testing/run-dns.js', import.meta.url)), String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await new Promise<void>((resolve, reject) => {
      server.stdout!.on('data', (d: Buffer) => { if (d.toString().includes('ready')) resolve(); });
      server.once('exit', (c) => reject(new Error(`dns server exited ${c}`)));
    });
    writeFileSync(join(dir, 'queries'), QUERIES.join('\n') + '\n');
    const out = await run('dnsperf', ['-s', '127.0.0.1', '-p', String(port), '-d', join(dir, 'queries'), '-l', o.seconds, '-c', o.clients, '-q', '200'], { timeoutMs: (Number(o.seconds) + 30) * 1000 });
    const num = (re: RegExp) => Number(re.exec(out)?.[1] ?? NaN);
    const results = {
      qps: num(/Queries per second:\s+([\d.]+)/),
      completed: num(/Queries completed:\s+(\d+)/),
      lost: num(/Queries lost:\s+(\d+)/),
      avgLatencyMs: num(/Average Latency \(s\):\s+([\d.]+)/) * 1000,
    };
    console.log(`dnsperf: ${results.qps.toFixed(0)} queries/s (${results.qps >= 20_000 ? 'meets' : 'MISSES'} goal ≥ 20,000), ${results.lost} lost, avg latency ${results.avgLatencyMs.toFixed(2)} ms`);
    const file = o.out ?? join(fileURLToPath(new URL('../../../bench/out/', import.meta.url)), `dns-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, JSON.stringify({ ...results, queries: QUERIES, dnsperf: out }, null, 2));
    console.log(`results in ${file}`);
  } finally {
    server.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();

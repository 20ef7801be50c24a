#!/usr/bin/env node
/**
 * Scheduler throughput: 100 fake nodes, 3,000 pods. Measured side by side against one
 * apiserver process: (1) the raw rate of Binding calls by a trivial round-robin binder,
 * (2) the rate at which the real scheduler binds pending pods (filters, scores, binding,
 * Scheduled events). Goals: ratio ≥ 0.7 and ≥ 300 pods/s.
 * Flags: --nodes N --pods N --concurrency N --no-events
 */
import { parseArgs } from 'node:util';
import { ApiClient } from '../../lib/client/api-client.js';
import type { KObject } from '../../lib/api/object.js';
import { makeNode, makePod } from '../../scheduler/framework/testing.js';
import { EventRecorder } from '../../lib/client/event-recorder.js';
import type { EventSink } from '../../scheduler/scheduler.js';
import { startScheduler } from '../../scheduler/run.js';
import { podObject, registerNode } from '../../scheduler/testing-cluster.js';
import { startApiServerProcess } from './apiserver-process.js';

const { values: args } = parseArgs({ options: {
  nodes: { type: 'string', default: '100' }, pods: { type: 'string', default: '3000' },
  concurrency: { type: 'string', default: '64' }, 'no-events': { type: 'boolean', default: false },
} });
const NODES = Number(args.nodes);
const PODS = Number(args.pods);
const CONCURRENCY = Number(args.concurrency);

/** Runs `fn` over 0..n-1 with at most `limit` calls in flight. */
async function parallel(n: number, limit: number, fn: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, n) }, async () => { while (next < n) await fn(next++); }));
}

function benchPod(i: number, namespace: string, schedulerName: string): KObject {
  return podObject(makePod(`pod-${i}`, { cpu: '100m', memory: '128Mi', namespace, labels: { app: `app-${i % 10}` } }), schedulerName);
}

async function createNamespace(client: ApiClient, name: string): Promise<void> {
  await client.create({ resource: 'namespaces' }, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
}

async function main(): Promise<void> {
  const api = await startApiServerProcess();
  const client = ApiClient.connect(api.grpcTarget);
  const ac = new AbortController();
  let done: Promise<void> | undefined;
  try {
    await parallel(NODES, CONCURRENCY, async (i) => {
      await registerNode(client, makeNode(`node-${i}`, { cpu: '32', memory: '64Gi', pods: 110 }));
    });

    // (1) Raw Binding rate: pods nobody schedules, bound round-robin by the bench itself.
    await createNamespace(client, 'bench-raw');
    await parallel(PODS, CONCURRENCY, (i) => client.create({ resource: 'pods', namespace: 'bench-raw' }, benchPod(i, 'bench-raw', 'nobody')));
    let t0 = performance.now();
    await parallel(PODS, CONCURRENCY, (i) => client.bind('bench-raw', `pod-${i}`, `node-${i % NODES}`));
    const rawSeconds = (performance.now() - t0) / 1000;
    // Remove them again (no kubelet runs here, so no grace period) so both phases see the same cluster.
    await parallel(PODS, CONCURRENCY, (i) => client.delete({ resource: 'pods', namespace: 'bench-raw', name: `pod-${i}` }, { gracePeriodSeconds: 0 }));

    // (2) The scheduler: pods created first, then the clock runs from the moment it starts scheduling.
    await createNamespace(client, 'bench-sched');
    await parallel(PODS, CONCURRENCY, (i) => client.create({ resource: 'pods', namespace: 'bench-sched' }, benchPod(i, 'bench-sched', 'default-scheduler')));
    let bound = 0;
    let allBound!: () => void;
    const finished = new Promise<void>((r) => { allBound = r; });
    const real = new EventRecorder(client, { component: 'default-scheduler' });
    const events: EventSink = {
      event(obj, type, reason, message) {
        if (!args['no-events']) real.event(obj, type, reason, message);
        if (reason === 'Scheduled' && obj.metadata?.namespace === 'bench-sched' && ++bound === PODS) allBound();
      },
    };
    t0 = performance.now();
    const running = await startScheduler(client, ac.signal, { events, maxInFlightBinds: CONCURRENCY });
    done = running.done;
    const syncSeconds = (performance.now() - t0) / 1000;
    t0 = performance.now();
    await finished;
    const schedSeconds = (performance.now() - t0) / 1000;
    await real.flush();
    const eventsSeconds = (performance.now() - t0) / 1000;

    const raw = PODS / rawSeconds;
    const sched = PODS / schedSeconds;
    const ratio = sched / raw;
    console.log(`nodes=${NODES} pods=${PODS} concurrency=${CONCURRENCY} events=${!args['no-events']}`);
    console.log('| measure | seconds | pods/s |');
    console.log('| --- | --- | --- |');
    console.log(`| raw Binding calls, round-robin | ${rawSeconds.toFixed(2)} | ${raw.toFixed(0)} |`);
    console.log(`| scheduler (after ${syncSeconds.toFixed(2)} s cache sync) | ${schedSeconds.toFixed(2)} | ${sched.toFixed(0)} |`);
    if (!args['no-events']) console.log(`| Scheduled events all written (written in the background) | ${eventsSeconds.toFixed(2)} | |`);
    console.log(`ratio scheduler/raw = ${ratio.toFixed(2)} (goal ≥ 0.7) ${ratio >= 0.7 ? 'OK' : 'BELOW GOAL'}; absolute ${sched.toFixed(0)} pods/s (goal ≥ 300) ${sched >= 300 ? 'OK' : 'BELOW GOAL'}`);
    console.log(JSON.stringify({ bench: 'scheduler', nodes: NODES, pods: PODS, rawPodsPerSec: raw, schedulerPodsPerSec: sched, ratio }));
  } finally {
    ac.abort();
    await done;
    client.close();
    await api.stop();
  }
}

main().catch((err) => { console.error(err); process.exit(1); });

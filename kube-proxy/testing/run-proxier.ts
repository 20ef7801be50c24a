/**
 * Test entry: runs a Proxier in the current network namespace fed from a JSON file
 * `{ nodeName, services: Service[], endpoints: Endpoints[] }` instead of informers. SIGHUP
 * re-reads the file and feeds the differences as update events; SIGTERM stops (addresses stay,
 * as after a crash). Prints `{"ready":true}` after the first sync.
 */
import { readFileSync } from 'node:fs';
import type { Endpoints, Service } from '../../lib/api/types.js';
import type { KObject } from '../../lib/api/object.js';
import { Proxier } from '../proxier.js';

interface State { nodeName: string; services: Service[]; endpoints: Endpoints[]; nodePortAddresses?: string[] }

const file = process.argv[2];
const read = () => JSON.parse(readFileSync(file, 'utf8')) as State;
const first = read();
const proxier = new Proxier({ nodeName: first.nodeName, nodePortAddresses: first.nodePortAddresses, udpIdleTimeoutMs: 1000, connectTimeoutMs: 1000, bindRetryMs: 300 });

function feed<T extends KObject>(prev: T[], cur: T[], h: { onAdd(o: T): void; onUpdate(a: T, b: T): void; onDelete(o: T): void }): void {
  const id = (o: T) => `${o.metadata?.namespace}/${o.metadata?.name}`;
  const before = new Map(prev.map((o) => [id(o), o]));
  for (const o of cur) {
    const old = before.get(id(o));
    before.delete(id(o));
    if (old) h.onUpdate(old, o); else h.onAdd(o);
  }
  for (const o of before.values()) h.onDelete(o);
}

let state: State = { nodeName: first.nodeName, services: [], endpoints: [] };
function load(next: State): void {
  feed(state.services, next.services, proxier.onService);
  feed(state.endpoints, next.endpoints, proxier.onEndpoints);
  state = next;
}

load(first);
await proxier.start();
process.stdout.write(JSON.stringify({ ready: true, ports: proxier.snapshot() }) + '\n');
process.on('SIGHUP', () => {
  load(read());
  void proxier.syncNow().then(() => process.stdout.write(JSON.stringify({ synced: true, ports: proxier.snapshot() }) + '\n'));
});
process.on('SIGTERM', () => { void proxier.stop().then(() => process.exit(0)); });

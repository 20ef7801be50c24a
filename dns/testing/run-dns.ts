/** Test entry: a DNS server answering from the fixture objects on <host>:<port> (default 127.0.0.1:53) of the current namespace. Prints `ready`. */
import { ClusterStore } from '../cluster-store.js';
import { DnsServer } from '../server.js';
import { loadFixtures } from './fixtures.js';

const store = new ClusterStore();
loadFixtures(store);
const server = new DnsServer({ store, host: process.argv[3] ?? '127.0.0.1', port: Number(process.argv[2] ?? 53) });
await server.start();
process.stdout.write('ready\n');

/** `kubesim status`: components (pid, up/down), etcd members and their leader, leaders, nodes with their subnets, backend. */
import { Etcd3 } from 'etcd3';
import { clusterLayout } from '../cluster/layout.js';
import { readState } from '../cluster/state.js';
import { isAlive } from '../cluster/supervisor.js';
import { etcdHostClientOptions, etcdMemberCount, etcdMemberStatuses } from '../cluster/etcd.js';
import { UserError } from './up.js';

/** Prints the status of cluster `name`. */
export async function status(name: string): Promise<void> {
  const state = readState(name);
  if (!state) throw new UserError(`no cluster named "${name}" (start one with: kubesim up --name ${name})`);
  const c = clusterLayout(name, state.index);
  console.log(`cluster ${name}  backend ${state.backend}  underlay ${c.underlayCIDR} on ${c.bridge}  created ${state.createdAt}`);
  console.log(`kubeconfig ${c.kubeconfig}\n`);
  console.log(pad(['COMPONENT', 'NODE', 'PID', 'STATE', 'LOG']));
  for (const p of state.processes) {
    console.log(pad([p.component, p.node ?? '-', String(p.pid), isAlive(p.pid) ? 'up' : 'down', p.log]));
  }
  const members = etcdMemberCount(state);
  console.log(`\n${pad(['ETCD MEMBER', 'HEALTH', 'LEADER', 'RAFT', 'ENDPOINT'])}`);
  for (const m of await etcdMemberStatuses(c, members)) {
    console.log(pad([m.component, m.healthy ? 'healthy' : 'down', m.leader ? 'leader' : '-', String(m.raftIndex ?? '-').padEnd(6), m.endpoint]));
  }
  console.log('');
  const etcd = new Etcd3({ ...etcdHostClientOptions(c, members), dialTimeout: 1000 });
  try {
    for (const comp of ['kube-scheduler', 'kube-controller-manager']) {
      const raw = await etcd.get(`/registry/leases/kube-system/${comp}`).string();
      const holder = raw ? (JSON.parse(raw) as { spec?: { holderIdentity?: string } }).spec?.holderIdentity : undefined;
      console.log(`${comp} leader: ${holder ?? '(none: not leader-elected or not yet acquired)'}`);
    }
    const leases = await etcd.getAll().prefix('/coreos.com/network/subnets/').strings();
    console.log(`\n${pad(['SUBNET', 'PUBLIC-IP', 'BACKEND'])}`);
    for (const [key, value] of Object.entries(leases)) {
      const v = JSON.parse(value) as { PublicIP?: string; BackendType?: string };
      console.log(pad([key.split('/').pop()!.replace('-', '/'), v.PublicIP ?? '?', v.BackendType ?? '?']));
    }
  } catch (err) {
    console.log(`\n(etcd not reachable: ${(err as Error).message})`);
  } finally {
    etcd.close();
  }
}

function pad(cols: string[]): string {
  const widths = [20, 10, 8, 6, 0];
  return cols.map((c, i) => (widths[i] ? c.padEnd(widths[i]) : c)).join(' ');
}

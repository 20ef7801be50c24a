/**
 * `kubesim up --etcd-members 3`: three etcd processes, every component given all endpoints; each
 * member in turn is killed (so whichever member the apiserver's connections and watches were on
 * goes away at some point) and the cluster keeps serving writes, reads and watches; the member is
 * started again and catches up; `down` leaves nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { up } from '../../cli/commands/up.js';
import { down } from '../../cli/commands/down.js';
import { readState } from '../../cli/cluster/state.js';
import { isAlive } from '../../cli/cluster/supervisor.js';
import { clusterLayout } from '../../cli/cluster/layout.js';
import { apiURL, DIST } from '../../cli/cluster/components.js';
import { etcdctlTlsArgs, etcdMemberStatuses } from '../../cli/cluster/etcd.js';
import { acquireHostLock } from '../../lib/testing/host-lock.js';
import { waitFor } from '../../lib/testing/wait.js';
import { leftovers } from '../e2e/leftovers.js';

const execFileP = promisify(execFile);
const CLI = join(DIST, 'cli', 'main.js');

/** Opens a watch on configmaps from `rv` and resolves when an ADDED event for `name` arrives (rejects after timeoutMs). */
async function watchSeesConfigMap(api: string, rv: string, name: string, timeoutMs: number): Promise<void> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), timeoutMs);
  try {
    const res = await fetch(`${api}/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=${rv}`, { signal: ac.signal });
    let buf = '';
    for await (const chunk of res.body!) {
      buf += Buffer.from(chunk).toString();
      for (const line of buf.split('\n').slice(0, -1)) {
        const ev = JSON.parse(line) as { type: string; object: { metadata?: { name?: string } } };
        if (ev.type === 'ADDED' && ev.object.metadata?.name === name) return;
      }
      buf = buf.slice(buf.lastIndexOf('\n') + 1);
    }
    throw new Error('watch ended');
  } finally {
    clearTimeout(timer);
    ac.abort();
  }
}

test('three etcd members: kill each in turn, the cluster keeps working, the member rejoins; down leaves nothing', { timeout: 8 * 60_000 }, async () => {
  const release = await acquireHostLock('cluster');
  const name = `etm${randomBytes(2).toString('hex')}`;
  try {
    const kubeconfig = await up({ name, nodes: 1, backend: 'vxlan', etcdMembers: 3, fastFailover: true, v: 0, timeout: 60 });
    const kubectl = async (...args: string[]) => (await execFileP('kubectl', args, { env: { ...process.env, KUBECONFIG: kubeconfig }, timeout: 30_000 })).stdout;
    const kubesim = async (...args: string[]) => {
      const at = args.includes('--') ? args.indexOf('--') : args.length; // --name before etcdctl's own args
      return (await execFileP(process.execPath, [CLI, ...args.slice(0, at), '--name', name, ...args.slice(at)], { timeout: 60_000 })).stdout;
    };
    const state = readState(name)!;
    const c = clusterLayout(name, state.index);
    const members = state.processes.filter((p) => /^etcd-\d$/.test(p.component));
    assert.deepEqual(members.map((p) => p.component), ['etcd-1', 'etcd-2', 'etcd-3'], 'three member processes');
    assert.equal(new Set(members.map((p) => p.args[p.args.indexOf('--data-dir') + 1])).size, 3, 'each its own data dir');
    const flag = (component: string, f: string) => { const a = state.processes.find((p) => p.component === component)!.args; return a[a.indexOf(f) + 1].split(','); };
    assert.equal(flag('apiserver', '--etcd-servers').length, 3, 'the apiserver is given every member');
    assert.deepEqual(flag('flanneld', '--etcd-endpoints'), [2379, 2381, 2383].map((p) => `https://${c.hostIP}:${p + c.index * 100}`), 'flanneld is given every member on the underlay host address');
    const statusOut = await kubesim('status');
    assert.match(statusOut, /etcd-1\s+healthy/);
    assert.equal((statusOut.match(/^etcd-\d\s+healthy\s+leader/gm) ?? []).length, 1, `status shows exactly one leader:\n${statusOut}`);
    const memberList = await kubesim('etcdctl', '--', 'member', 'list');
    for (const m of ['etcd-1', 'etcd-2', 'etcd-3']) assert.match(memberList, new RegExp(`started, ${m},`), 'kubesim etcdctl reaches the members');

    for (const m of ['etcd-1', 'etcd-2', 'etcd-3']) {
      const old = readState(name)!.processes.find((p) => p.component === m)!;
      await kubesim('chaos', 'etcd', 'kill', m);
      assert.ok(!isAlive(old.pid), `${m} is down`);
      assert.match(await kubesim('status'), new RegExp(`^${m}\\s+down`, 'm'), 'status shows the member down');
      // The apiserver's etcd client fails over: no retry loop here, the first write must succeed.
      const rv = (JSON.parse(await kubectl('get', 'configmaps', '-o', 'json')) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
      await kubectl('create', 'configmap', `without-${m}`, '--from-literal', `k=${m}`);
      assert.match(await kubectl('get', 'configmap', `without-${m}`, '-o', 'jsonpath={.data.k}'), new RegExp(`^${m}$`));
      await watchSeesConfigMap(apiURL(c), rv, `without-${m}`, 15_000);
      // Through etcdctl with one endpoint down (it tries the others).
      assert.match(await kubesim('etcdctl', '--', 'get', `/registry/configmaps/default/without-${m}`, '--keys-only'), new RegExp(`without-${m}`));

      await kubesim('chaos', 'etcd', 'restart', m);
      const fresh = readState(name)!.processes.find((p) => p.component === m)!;
      assert.ok(fresh.pid !== old.pid && isAlive(fresh.pid), `${m} runs again`);
      // Rejoined: healthy, and its own (serializable, member-local) copy has what was written while it was down.
      await waitFor(`${m} rejoins and catches up`, async () => {
        const s = (await etcdMemberStatuses(c, 3)).find((x) => x.component === m)!;
        if (!s.healthy) return false;
        const { stdout } = await execFileP('etcdctl', ['--endpoints', s.endpoint, ...etcdctlTlsArgs(c), '--consistency=s', 'get', `/registry/configmaps/default/without-${m}`, '--keys-only'], { env: { ...process.env, ETCDCTL_API: '3' } });
        return stdout.includes(`without-${m}`);
      }, { timeoutMs: 20_000, intervalMs: 300 });
    }
    const all = await etcdMemberStatuses(c, 3);
    assert.ok(all.every((s) => s.healthy), 'all three members healthy at the end');
    assert.equal(all.filter((s) => s.leader).length, 1, 'one leader');
    await assert.rejects(kubesim('chaos', 'etcd', 'kill', 'etcd-7'), /no etcd member "etcd-7".*etcd-1, etcd-2, etcd-3/s);

    await down({ name, quiet: true });
    assert.deepEqual(await leftovers(name), [], 'nothing left after down');
  } finally {
    await down({ name, quiet: true }).catch(() => undefined);
    release();
  }
});

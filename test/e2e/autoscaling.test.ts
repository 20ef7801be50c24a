/**
 * Autoscaling (seed 003's "elastic scaling") on a real cluster: a Deployment whose pods really
 * burn CPU (throttled by their cgroup limit), `kubectl autoscale`, and the HPA reading the usage
 * the kubelets measure. Nothing here is faked: the utilisation the HPA acts on comes from the
 * containers' cgroup CPU accounting through the kubelets' stats.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { upCluster, type E2ECluster } from './helpers.js';
import { applyYaml, jsonpath, waitRunning } from './lab-helpers.js';
import { waitFor } from '../../lib/testing/wait.js';

let c: E2ECluster;
before(async () => { c = await upCluster(2); });
after(async () => { await c?.down(); });

const BURNER = `apiVersion: apps/v1
kind: Deployment
metadata: {name: burner}
spec:
  replicas: 1
  selector: {matchLabels: {app: burner}}
  template:
    metadata: {labels: {app: burner}}
    spec:
      containers:
      - name: burn
        image: busybox
        command: [sh, -c, 'while :; do :; done']
        # The limit caps the burn at 200m (cgroup cpu quota), i.e. 200 % of the request.
        resources: {requests: {cpu: 100m}, limits: {cpu: 200m}}
`;

test('kubectl autoscale: pods using 200 % of their CPU request are scaled out to --max by the HPA (seed 003)', { timeout: 240_000 }, async () => {
  await applyYaml(c, 'burner.yaml', BURNER);
  await waitRunning(c, 'app=burner', 1);
  assert.match(await c.kubectl('autoscale', 'deployment', 'burner', '--cpu-percent=50', '--min=1', '--max=3'), /autoscaled/);

  // The HPA's first look needs two CPU samples; then 200 % against a 50 % target asks for 4, capped at 3.
  await waitFor('deployment scaled to 3 by the HPA', async () => (await jsonpath(c, 'deploy', 'burner', '{.spec.replicas}')) === '3', { timeoutMs: 120_000, intervalMs: 1000 });
  // Its status catches up at the next sync (15 s): the replicas it saw then, and the utilisation measured.
  const hpa = await waitFor('hpa status shows 3 replicas and a measured utilisation', async () => {
    const out = await c.kubectl('get', 'hpa', 'burner', '--no-headers');
    const m = /^burner\s+Deployment\/burner\s+cpu:\s*(\d+)%\/50%\s+1\s+3\s+3\s/m.exec(out);
    return m ? { out, pct: Number(m[1]) } : undefined;
  }, { timeoutMs: 60_000, intervalMs: 1000 });
  // A measured figure, and never more than the 200m limit lets a pod use (slack for sampling). How far above the
  // target it is depends on how much CPU this machine has to spare; the scale-out above already shows it exceeded 50 %.
  assert.ok(hpa.pct > 0 && hpa.pct <= 260, `utilisation ${hpa.pct} % in:\n${hpa.out}`);

  const events = await c.kubectl('get', 'events', '--field-selector', 'involvedObject.name=burner,reason=SuccessfulRescale', '-o', 'jsonpath={.items[*].message}');
  assert.match(events, /New size: (2|3); reason: cpu resource utilization \(percentage of request\) above target/);
  await waitRunning(c, 'app=burner', 3);

  await c.kubectl('delete', 'hpa', 'burner');
  await c.kubectl('delete', 'deployment', 'burner');
});

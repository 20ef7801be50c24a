import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Pod } from '../lib/api/types.js';
import { isApiError } from '../lib/errors.js';
import { startControlPlane } from '../lib/testing/control-plane.js';
import { waitFor } from '../lib/testing/wait.js';
import { shellQuote } from './runtime/exec.js';
import { startKubeletNode, type KubeletNode } from './testing/kubelet-node.js';

const NODE = 'ksimt-attach-node';
const KUBECTLS: Array<[string, string]> = [['127', '/usr/lib/google-cloud-sdk/bin/kubectl.1.27'], ['132', '/usr/bin/kubectl'], ['133', '/usr/lib/google-cloud-sdk/bin/kubectl.1.33']];

/** kubectl on a terminal of 100×30 made by util-linux `script`; the test types into it and reads the screen. */
class Terminal {
  readonly child: ChildProcess;
  private text = '';
  readonly exited: Promise<number>;

  constructor(argv: string[], env: NodeJS.ProcessEnv) {
    this.child = spawn('script', ['-q', '-e', '-c', `stty cols 100 rows 30; exec ${argv.map(shellQuote).join(' ')}`, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout!.on('data', (d) => { this.text += d; });
    this.child.stderr!.on('data', (d) => { this.text += d; });
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code ?? -1)));
  }

  /** Everything shown so far. */
  get screen(): string { return this.text; }

  /** Types a line. */
  type(line: string): void { this.child.stdin!.write(`${line}\r`); }

  /** Resizes kubectl's terminal as a window change would: the kernel signals kubectl (SIGWINCH). */
  resize(cols: number, rows: number): void {
    const kubectl = readFileSync(`/proc/${this.child.pid}/task/${this.child.pid}/children`, 'utf8').trim().split(/\s+/)[0];
    const tty = readlinkSync(`/proc/${kubectl}/fd/0`);
    const r = spawnSync('stty', ['-F', tty, 'cols', String(cols), 'rows', String(rows)]);
    assert.equal(r.status, 0, r.stderr?.toString());
  }
}

test('kubectl run -it --rm, attach -i and exec -it (SPDY for 1.27, WebSocket for 1.32/1.33): type into a shell, every resize reaches it, exit deletes the pod', async (t) => {
  const cp = await startControlPlane();
  const terms: Terminal[] = [];
  const names = [...KUBECTLS.map(([v]) => `ksimt-rm-${v}`), 'ksimt-att'];
  let node: KubeletNode | undefined;
  t.after(async () => {
    for (const term of terms) term.child.kill('SIGKILL');
    await node?.stop(names);
    await cp.stop();
  });
  node = await startKubeletNode(cp, 45, NODE);
  const h = node.h;
  const cfg = node.kubeconfig;
  const env = node.env;
  // No scheduler runs here: the override binds the pod to this kubelet's node.
  const onNode = `--overrides=${JSON.stringify({ spec: { nodeName: NODE, terminationGracePeriodSeconds: 0 } })}`;

  for (const [v, bin] of KUBECTLS) {
    const name = `ksimt-rm-${v}`;
    const term = new Terminal([bin, '--kubeconfig', cfg, 'run', '-it', '--rm', name, '--image=busybox', onNode, '--', 'sh'], env);
    terms.push(term);
    const seen = (what: string, re: RegExp) => waitFor(`${bin}: ${what}`, () => re.test(term.screen), { timeoutMs: 30_000 }).catch((e: Error) => { throw new Error(`${e.message}\n--- screen ---\n${term.screen}`); });
    await seen('attached', /If you don't see a command prompt, try pressing enter/);
    const pod = await cp.client.get<Pod>({ resource: 'pods', namespace: 'default', name });
    assert.deepEqual([pod.spec?.containers?.[0]?.stdin, pod.spec?.containers?.[0]?.stdinOnce, pod.spec?.containers?.[0]?.tty], [true, true, true]);
    // kubectl prints that line just before it puts its terminal in raw mode and streams: as its
    // message says, the first keystrokes may come too early, so type until the shell answers.
    await waitFor(`${bin}: input ran on a terminal of kubectl's size`, () => { term.type('echo typed-$((6*7)); tty; stty size'); return /typed-42\r\n\/dev\/pts\/\d+\r\n30 100\r\n/.test(term.screen); }, { timeoutMs: 20_000, intervalMs: 500 })
      .catch((e: Error) => { throw new Error(`${e.message}\n--- screen ---\n${term.screen}`); });
    for (const [cols, rows] of [[120, 40], [90, 25]]) {
      term.resize(cols, rows);
      // The resize and the typing travel separately: ask until the shell sees the new size.
      await waitFor(`${bin}: size ${rows} ${cols}`, () => { term.type('stty size'); return term.screen.includes(`\r\n${rows} ${cols}\r\n`); }, { timeoutMs: 20_000, intervalMs: 300 })
        .catch((e: Error) => { throw new Error(`${e.message}\n--- screen ---\n${term.screen}`); });
    }
    term.type('exit');
    assert.equal(await term.exited, 0, term.screen);
    assert.match(term.screen, new RegExp(`pod "${name}" deleted`));
    await waitFor(`${name} gone`, async () => cp.client.get({ resource: 'pods', namespace: 'default', name }).then(() => false, (e) => isApiError(e, 'NotFound')), { timeoutMs: 30_000 });
  }

  // kubectl attach -i (no tty) to a running pod with stdin: lines typed go in, output comes back.
  await cp.client.create({ resource: 'pods', namespace: 'default' }, {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'ksimt-att' },
    spec: { nodeName: NODE, terminationGracePeriodSeconds: 0, containers: [{ name: 'c', image: 'busybox', stdin: true, command: ['sh', '-c', 'while read l; do echo "got $l"; done'] }] },
  } as Pod);
  await waitFor('ksimt-att running', async () => (await cp.client.get<Pod>({ resource: 'pods', namespace: 'default', name: 'ksimt-att' })).status?.phase === 'Running', { timeoutMs: 30_000 });
  for (const [v, bin] of KUBECTLS) {
    const att = spawn(bin, ['--kubeconfig', cfg, 'attach', '-i', 'ksimt-att'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    att.stdout!.on('data', (d) => { out += d; });
    att.stderr!.on('data', (d) => { out += d; });
    // Input typed before the attach is up would be lost, so keep typing until the echo comes back.
    await waitFor(`${bin}: attach -i echoes`, () => { att.stdin!.write(`hello-${v}\n`); return out.includes(`got hello-${v}\n`); }, { timeoutMs: 20_000, intervalMs: 500 })
      .catch((e: Error) => { throw new Error(`${e.message}: ${out}`); });
    att.kill('SIGTERM');
    await new Promise((r) => att.on('exit', r));
  }
  // kubectl exec -it: the exec's terminal follows every resize too.
  for (const [, bin] of KUBECTLS) {
    const term = new Terminal([bin, '--kubeconfig', cfg, 'exec', '-it', 'ksimt-att', '--', 'sh'], env);
    terms.push(term);
    await waitFor(`${bin}: exec size`, () => { term.type('stty size'); return term.screen.includes('\r\n30 100\r\n'); }, { timeoutMs: 20_000, intervalMs: 300 })
      .catch((e: Error) => { throw new Error(`${e.message}\n--- screen ---\n${term.screen}`); });
    term.resize(132, 43);
    await waitFor(`${bin}: exec resized`, () => { term.type('stty size'); return term.screen.includes('\r\n43 132\r\n'); }, { timeoutMs: 20_000, intervalMs: 300 })
      .catch((e: Error) => { throw new Error(`${e.message}\n--- screen ---\n${term.screen}`); });
    term.type('exit 6');
    assert.equal(await term.exited, 6, term.screen);
  }
  // Without stdinOnce the container's stdin stays open across sessions: the loop still runs.
  const pod = await cp.client.get<Pod>({ resource: 'pods', namespace: 'default', name: 'ksimt-att' });
  assert.equal(pod.status?.containerStatuses?.[0]?.restartCount, 0);
  assert.ok(pod.status?.containerStatuses?.[0]?.state?.running);
  assert.ok(readdirSync(join(h.dir, 'pod-logs')).some((d) => d.includes('ksimt-att')));
});

// What `npm run bench` runs for each bench/ and how it reads the figures out of its output: the
// command line (full, and --quick: smaller and shorter, for a shared machine), a time limit, and
// an extractor turning the bench's own printout into summary rows
// {measure, ours, reference, ratio, goal, met}. An extractor that finds nothing yields no rows; the
// report then points at the raw output, which is always kept in full below the table.

/** Numbers out of text: the first capture of re as a number (NaN when absent). */
const num = (text, re) => Number(re.exec(text)?.[1] ?? Number.NaN);
const fmt = (n, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : '?');
const ratioOf = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? `${(a / b).toFixed(2)}×` : '');
const verdict = (ok) => (ok === undefined ? '' : ok ? 'yes' : 'NO');
/** The verdict, or a note when the run was smaller than the size the goal is stated for. */
const verdictAt = (ok, fullSize) => (fullSize ? verdict(ok) : `n/a (smaller run; ${verdict(ok) === 'yes' ? 'within' : 'over'} it here)`);

/** The cells (trimmed) of the first markdown table row whose first cell matches re. */
function cells(text, re) {
  const line = text.split('\n').find((l) => l.startsWith('|') && re.test(l.split('|')[1] ?? ''));
  return line ? line.split('|').slice(1, -1).map((c) => c.trim()) : undefined;
}
/** Like cells, without the first (the row's name). */
const tableRow = (text, re) => cells(text, re)?.slice(1);

/** Every bench: args (full run), quick (args for --quick), env/quickEnv, limit (minutes), rows(stdout). */
export const BENCHES = {
  apiserver: {
    args: [], quickEnv: { BENCH_CREATES: '1000', BENCH_LIST_PODS: '2000', BENCH_WATCHERS: '200', BENCH_WATCH_WRITES: '30' }, limit: 10,
    rows(out) {
      const raw = num(out, /\| raw etcd puts\/s[^|]*\| (\d+)/);
      const rest = num(out, /\| REST pod creates\/s \| (\d+)/);
      const grpc = num(out, /\| gRPC pod creates\/s \| (\d+)/);
      const p99 = num(out, /\| watch fan-out p99[^|]*\| ([\d.]+) ms/);
      const list = cells(out, /^ LIST \d+ pods \(REST/);
      return [
        { measure: 'pod creates/s through REST (vs raw etcd puts)', ours: fmt(rest), reference: fmt(raw), ratio: ratioOf(rest, raw), goal: '≥ 0.5×', met: verdict(Number.isFinite(rest) ? rest / raw >= 0.5 : undefined) },
        { measure: 'pod creates/s through gRPC (vs raw etcd puts)', ours: fmt(grpc), reference: fmt(raw), ratio: ratioOf(grpc, raw), goal: '(comparison)', met: '' },
        ...(list ? [{ measure: list[0], ours: list[1], reference: '', ratio: '', goal: '(measured)', met: '' }] : []),
        { measure: 'watch fan-out p99, write → last of 200 watchers', ours: `${fmt(p99, 1)} ms`, reference: '', ratio: '', goal: '≤ 50 ms', met: verdict(Number.isFinite(p99) ? p99 <= 50 : undefined) },
      ];
    },
  },
  controllers: {
    args: [], quick: ['--replicas', '300', '--nodes', '30'], limit: 15,
    rows(out) {
      const size = /### Controllers: (\d+)-replica Deployment on (\d+)/.exec(out);
      const create = tableRow(out, /create until all available/);
      const roll = tableRow(out, /rolling update/);
      const what = size ? `${size[1]} replicas on ${size[2]} hollow nodes` : '';
      return [
        ...(create ? [{ measure: `Deployment create → all available, ${what}`, ours: `${create[0]} s (${create[1]} pods/s)`, reference: '', ratio: '', goal: '(measured)', met: '' }] : []),
        ...(roll ? [{ measure: `rolling update 25 %/25 % → complete, ${what}`, ours: `${roll[0]} s (${roll[1]} pods/s)`, reference: '', ratio: '', goal: '(measured)', met: '' }] : []),
      ];
    },
  },
  dashboard: {
    args: [], quickEnv: { DASH_BENCH_NODES: '100', DASH_BENCH_PODS: '1000' }, limit: 10,
    rows(out) {
      const size = /\| (\d+ nodes, \d+ pods) \| median/.exec(out)?.[1] ?? '';
      const full = size === '100 nodes, 3000 pods';
      return [[/first render/, 2000], [/write → chip changed/, 200], [/SSE delta → painted/, 200]].flatMap(([re, goal]) => {
        const r = cells(out, re);
        if (!r) return [];
        const max = Number.parseFloat(r[2]);
        return [{ measure: `${r[0]}, ${size} (median; max)`, ours: `${r[1]}; ${r[2]}`, reference: '', ratio: '', goal: `max < ${goal} ms (at 100 nodes, 3000 pods)`, met: verdictAt(Number.isFinite(max) ? max < goal : undefined, full) }];
      });
    },
  },
  dns: {
    args: ['--seconds', '10'], quick: ['--seconds', '5'], limit: 5,
    rows(out) {
      const qps = num(out, /dnsperf: (\d+) queries\/s/);
      return Number.isFinite(qps) ? [{ measure: 'cluster DNS queries/s (dnsperf, 127.0.0.1)', ours: fmt(qps), reference: '', ratio: '', goal: '≥ 20,000', met: verdict(qps >= 20_000) }] : [];
    },
  },
  hollow: {
    args: [], quick: ['--nodes', '200', '--pods', '5000'], limit: 20,
    rows(out) {
      const size = /### Hollow kubelet: (\d+) nodes, (\d+) pods/.exec(out);
      const ready = tableRow(out, /create → all Running\/Ready/);
      const rss = tableRow(out, /kubelet RSS at end \/ peak/);
      const peak = Number((rss?.[0] ?? '').split('/')[1]?.trim().split(' ')[0]);
      const what = size ? `${size[1]} nodes, ${size[2]} pods` : '';
      return [
        ...(ready ? [{ measure: `hollow kubelet: create → all Running/Ready, ${what}`, ours: ready[0], reference: '', ratio: '', goal: '(measured)', met: '' }] : []),
        ...(rss ? [{ measure: `hollow kubelet peak RSS, ${what}`, ours: `${fmt(peak)} MiB`, reference: '', ratio: '', goal: '< 2048 MiB (at 1,000 nodes, 30,000 pods)', met: verdictAt(Number.isFinite(peak) ? peak < 2048 : undefined, size?.[1] === '1000' && size?.[2] === '30000') }] : []),
      ];
    },
  },
  'kube-proxy': {
    args: ['--seconds', '6'], quick: ['--seconds', '3'], limit: 10,
    rows(out) {
      const pair = (re) => { const m = re.exec(out); return m ? [Number(m[1]), Number(m[2])] : [Number.NaN, Number.NaN]; };
      const [dT, sT] = pair(/throughput\s+direct ([\d.]+) Gbit\/s, service ([\d.]+)/);
      const [dC, sC] = pair(/connection rate direct (\d+)\/s, service (\d+)/);
      const [dL, sL] = pair(/latency p50\s+direct (\d+) µs, service (\d+) µs/);
      const syncMax = num(out, /one endpoint change p50 [\d.]+ ms, max ([\d.]+) ms/);
      const sync = /sync\s+(\d+ services \/ \d+ endpoints)/.exec(out)?.[1] ?? '';
      return [
        { measure: 'TCP throughput through a ClusterIP (vs straight to the pod)', ours: `${fmt(sT, 2)} Gbit/s`, reference: `${fmt(dT, 2)} Gbit/s`, ratio: ratioOf(sT, dT), goal: '≥ 0.7×', met: verdict(Number.isFinite(sT) ? sT / dT >= 0.7 : undefined) },
        { measure: 'new connections/s through a ClusterIP (vs straight)', ours: fmt(sC), reference: fmt(dC), ratio: ratioOf(sC, dC), goal: '≥ 0.6×', met: verdict(Number.isFinite(sC) ? sC / dC >= 0.6 : undefined) },
        { measure: 'request latency p50 through a ClusterIP (vs straight)', ours: `${fmt(sL)} µs`, reference: `${fmt(dL)} µs`, ratio: `+${fmt(sL - dL)} µs`, goal: '≤ +150 µs', met: verdict(Number.isFinite(sL) ? sL - dL <= 150 : undefined) },
        { measure: `sync after one endpoint change, ${sync} (max)`, ours: `${fmt(syncMax, 2)} ms`, reference: '', ratio: '', goal: '≤ 50 ms', met: verdict(Number.isFinite(syncMax) ? syncMax <= 50 : undefined) },
      ];
    },
  },
  overlay: {
    args: ['--seconds', '5'], quick: ['--seconds', '3'], limit: 15,
    rows(out) {
      const kernel = num(out, /kernel VXLAN = ([\d.]+) Gbit\/s/);
      const goals = /^ {2}([\w-]+): ([\d.]+) Gbit\/s = ([\d.]+)x kernel \(goal >= 0\.30: (\w+)\); RTT p50 (\d+) us = \+?(-?\d+) us side by side \(goal <= \+150: (\w+)\); (.*?) \(goal 0: (\w+)\)/gm;
      return [...out.matchAll(goals)].flatMap((m) => [
        { measure: `${m[1]} backend: single-stream TCP pod → pod across nodes (vs kernel VXLAN)`, ours: `${m[2]} Gbit/s`, reference: `${fmt(kernel, 2)} Gbit/s`, ratio: `${m[3]}×`, goal: '≥ 0.3×', met: verdict(m[4] === 'met') },
        { measure: `${m[1]} backend: RTT p50, side by side (vs kernel VXLAN)`, ours: `${m[5]} µs`, reference: `${Number(m[5]) - Number(m[6])} µs`, ratio: `+${m[6]} µs`, goal: '≤ +150 µs', met: verdict(m[7] === 'met') },
        { measure: `${m[1]} backend: reordered / dropped / (non-spurious) retransmitted, one stream`, ours: m[8], reference: '', ratio: '', goal: '0', met: verdict(m[9] === 'met') },
      ]);
    },
  },
  'pod-startup': {
    args: [], quick: ['--pods', '30'], limit: 10,
    rows(out) {
      const rt = tableRow(out, /^ runtime/);
      const floor = tableRow(out, /^ floor/);
      if (!rt || !floor) return [];
      const pods = /pods: (\d+)/.exec(out)?.[1] ?? '?';
      return [
        { measure: `pod create → running p50, ${pods} pods (vs netns + veth + spawn)`, ours: `${rt[0]} ms`, reference: `${floor[0]} ms`, ratio: ratioOf(Number(rt[0]), Number(floor[0])), goal: '≤ 3×', met: verdict(Number(rt[0]) / Number(floor[0]) <= 3) },
        { measure: 'pod create → running p99', ours: `${rt[1]} ms`, reference: `${floor[1]} ms`, ratio: ratioOf(Number(rt[1]), Number(floor[1])), goal: 'well under 5 s', met: verdict(Number(rt[1]) < 5000) },
        { measure: 'memory per idle pod (PSS)', ours: `${rt[3]} MiB`, reference: `${floor[3]} MiB`, ratio: ratioOf(Number(rt[3]), Number(floor[3])), goal: '(measured)', met: '' },
      ];
    },
  },
  scheduler: {
    args: [], quick: ['--pods', '1500', '--rounds', '3'], limit: 10,
    rows(out) {
      const json = out.split('\n').find((l) => l.startsWith('{"bench":"scheduler"'));
      if (!json) return [];
      const r = JSON.parse(json);
      return [
        { measure: `pods bound/s by the scheduler (vs raw Binding calls), ${r.nodes} nodes, ${r.pods} pods`, ours: fmt(r.schedulerPodsPerSec), reference: fmt(r.rawPodsPerSec), ratio: ratioOf(r.schedulerPodsPerSec, r.rawPodsPerSec), goal: '≥ 0.7×', met: verdict(r.ratio >= 0.7) },
        { measure: 'pods bound/s by the scheduler, absolute', ours: fmt(r.schedulerPodsPerSec), reference: '', ratio: '', goal: '≥ 300', met: verdict(r.schedulerPodsPerSec >= 300) },
      ];
    },
  },
};

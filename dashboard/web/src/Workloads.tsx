/**
 * Workloads: Deployment → ReplicaSets (revision, pod-template-hash) → Pods; StatefulSets by
 * ordinal; DaemonSets with the node of each pod; CronJobs → Jobs → Pods. A scale box on scalable ones.
 */
import { useEffect, useState } from 'preact/hooks';
import { post, StatusError } from './api';
import { PodChip } from './badges';
import { groupBy, ofKind } from './store';
import type { Selection, Slim } from './types';

function ScaleBox({ w }: { w: Slim }) {
  const [value, setValue] = useState(String(w.replicas ?? 0));
  const [error, setError] = useState('');
  const [editing, setEditing] = useState(false);
  // Follow the live spec (someone else may scale) unless the user is typing a number.
  useEffect(() => { if (!editing) setValue(String(w.replicas ?? 0)); }, [w.replicas, editing]);
  const submit = async (e: Event) => {
    e.preventDefault();
    setError('');
    try { await post('scale', { kind: w.kind, namespace: w.ns, name: w.name, replicas: Number(value) }); } catch (err) { setError((err as StatusError).message); }
  };
  return <form class="scale" onSubmit={submit}>
    <label>replicas <input type="number" min="0" value={value} aria-label={`replicas of ${w.name}`} data-testid={`scale-${w.name}`} onFocus={() => setEditing(true)} onBlur={() => setEditing(false)} onInput={(e) => setValue((e.target as HTMLInputElement).value)} /></label>
    <button type="submit">Scale</button>
    {error ? <span class="error" role="alert">{error}</span> : null}
  </form>;
}

function Head({ w, select, children }: { w: Slim; select(s: Selection): void; children?: preact.ComponentChildren }) {
  return <header>
    <button class="link" onClick={() => select({ kind: w.kind, ns: w.ns, name: w.name })}><strong>{w.kind} {w.ns}/{w.name}</strong></button>
    <span class="meta"> {w.kind === 'Job' || w.kind === 'CronJob' ? `active ${w.current ?? 0}` : `ready ${w.ready ?? 0}/${w.replicas ?? w.current ?? 0}`}{w.updated !== undefined ? ` · updated ${w.updated}` : ''}{w.available !== undefined ? ` · available ${w.available}` : ''}{w.image ? ` · ${w.image}` : ''}</span>
    {children}
  </header>;
}

function Pods({ pods, select }: { pods: Slim[]; select(s: Selection): void }) {
  return <div class="pods">{pods.map((p) => <PodChip key={p.key} p={p} select={select} />)}</div>;
}

/** The workloads view. */
export function Workloads({ objects, version, ns, select }: { objects: Map<string, Slim>; version: number; ns: string; select(s: Selection): void }) {
  void version;
  const ownedBy = groupBy(ofKind(objects, 'Pod', ns), (p) => p.owner ? `${p.owner.kind}/${p.ns}/${p.owner.name}` : '');
  const rsBy = groupBy(ofKind(objects, 'ReplicaSet', ns), (r) => r.owner ? `${r.owner.kind}/${r.ns}/${r.owner.name}` : '');
  const jobsBy = groupBy(ofKind(objects, 'Job', ns), (j) => j.owner ? `${j.owner.kind}/${j.ns}/${j.owner.name}` : '');
  const podsOf = (w: Slim) => ownedBy.get(`${w.kind}/${w.ns}/${w.name}`) ?? [];
  const rev = (r: Slim) => Number(r.revision ?? 0);
  return <div class="workloads">
    {ofKind(objects, 'Deployment', ns).map((d) => <section class="workload" key={d.key} data-workload={`deployment/${d.ns}/${d.name}`}>
      <Head w={d} select={select}><ScaleBox w={d} /></Head>
      {(rsBy.get(d.key) ?? []).sort((a, b) => rev(b) - rev(a)).map((r) => <div class={`rs ${(r.replicas ?? 0) === 0 && !podsOf(r).length ? "rs-old" : ""}`} key={r.key} data-rs={r.name} data-revision={r.revision}>
        <button class="link" onClick={() => select({ kind: 'ReplicaSet', ns: r.ns, name: r.name })}>↳ ReplicaSet {r.name}</button>
        <span class="meta"> revision {r.revision ?? '?'} · hash {r.hash ?? '?'} · {r.ready ?? 0}/{r.replicas ?? 0} ready</span>
        <Pods pods={podsOf(r)} select={select} />
      </div>)}
    </section>)}
    {(rsBy.get('') ?? []).map((r) => <section class="workload" key={r.key}><Head w={r} select={select}><ScaleBox w={r} /></Head><Pods pods={podsOf(r)} select={select} /></section>)}
    {ofKind(objects, 'StatefulSet', ns).map((s) => <section class="workload" key={s.key}>
      <Head w={s} select={select}><ScaleBox w={s} /></Head>
      <Pods pods={podsOf(s).sort((a, b) => Number(a.name.split('-').pop()) - Number(b.name.split('-').pop()))} select={select} />
    </section>)}
    {ofKind(objects, 'DaemonSet', ns).map((s) => <section class="workload" key={s.key}>
      <Head w={s} select={select} />
      <ul class="plain">{podsOf(s).map((p) => <li key={p.key}>▣ {p.node || 'unscheduled'}: <PodChip p={p} select={select} /></li>)}</ul>
    </section>)}
    {ofKind(objects, 'CronJob', ns).map((c) => <section class="workload" key={c.key}>
      <Head w={c} select={select} />
      <div class="meta">schedule {c.schedule}{c.suspend ? ' · suspended' : ''}{c.lastSchedule ? ` · last run ${c.lastSchedule}` : ''}</div>
      {(jobsBy.get(c.key) ?? []).map((j) => <div class="rs" key={j.key}>↳ Job {j.name} · {j.succeeded ?? 0} succeeded, {j.failed ?? 0} failed <Pods pods={podsOf(j)} select={select} /></div>)}
    </section>)}
    {(jobsBy.get('') ?? []).map((j) => <section class="workload" key={j.key}>
      <Head w={j} select={select} /><div class="meta">{j.succeeded ?? 0} succeeded, {j.failed ?? 0} failed</div><Pods pods={podsOf(j)} select={select} />
    </section>)}
  </div>;
}

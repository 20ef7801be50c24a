/** The events stream, newest first, filterable like `kubectl get events --watch | grep`. */
import { useState } from 'preact/hooks';
import { ofKind } from './store';
import type { Slim } from './types';

/** The events view. */
export function Events({ objects, version, ns }: { objects: Map<string, Slim>; version: number; ns: string }) {
  void version;
  const [filter, setFilter] = useState('');
  const [warnOnly, setWarnOnly] = useState(false);
  const f = filter.toLowerCase();
  const rows = ofKind(objects, 'Event', ns)
    .filter((e) => (!warnOnly || e.type === 'Warning') && (!f || `${e.reason} ${e.message} ${e.involved.kind}/${e.involved.name} ${e.source}`.toLowerCase().includes(f)))
    .sort((a, b) => String(b.last).localeCompare(String(a.last))).slice(0, 200);
  return <div>
    <div class="toolbar">
      <label>Filter <input value={filter} onInput={(e) => setFilter((e.target as HTMLInputElement).value)} placeholder="reason, object, message" /></label>
      <label><input type="checkbox" checked={warnOnly} onChange={(e) => setWarnOnly((e.target as HTMLInputElement).checked)} /> Warnings only</label>
    </div>
    <table class="grid events">
      <thead><tr><th scope="col">Last seen</th><th scope="col">Type</th><th scope="col">Reason</th><th scope="col">Object</th><th scope="col">Message</th><th scope="col">Count</th></tr></thead>
      <tbody>{rows.map((e) => <tr key={e.key} class={e.type === 'Warning' ? 'st-warn' : ''} data-reason={e.reason}>
        <td>{String(e.last).replace('T', ' ').replace(/\..*|Z$/, '')}</td><td>{e.type === 'Warning' ? '⚠ Warning' : 'Normal'}</td><td>{e.reason}</td>
        <td>{e.involved.kind}/{e.involved.name}</td><td>{e.message}</td><td>{e.count}</td>
      </tr>)}</tbody>
    </table>
  </div>;
}

/**
 * A small SSE reader for tests and benchmarks: follows /api/stream and keeps the same Map of
 * slim views the page keeps, so assertions read state, not messages.
 */
export interface SseState { objects: Map<string, Record<string, unknown>>; snapshots: number; deltas: number; close(): void }

/** Connects to the dashboard's stream; resolves after the first snapshot arrived. */
export async function followStream(baseURL: string): Promise<SseState> {
  const ac = new AbortController();
  const res = await fetch(new URL('api/stream', baseURL), { signal: ac.signal });
  if (!res.ok || !res.body) throw new Error(`stream: HTTP ${res.status}`);
  const state: SseState = { objects: new Map(), snapshots: 0, deltas: 0, close: () => ac.abort() };
  let first!: () => void;
  const gotSnapshot = new Promise<void>((r) => { first = r; });
  const apply = (event: string, data: string) => {
    const d = JSON.parse(data);
    if (event === 'snapshot') {
      state.objects.clear();
      for (const o of d.objects) state.objects.set(o.key, o);
      state.snapshots++;
      first();
    } else if (event === 'delta') {
      for (const k of d.deletes) state.objects.delete(k);
      for (const o of d.upserts) state.objects.set(o.key, o);
      state.deltas++;
    }
  };
  void (async () => {
    const dec = new TextDecoder();
    let buf = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buf += dec.decode(chunk, { stream: true });
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i); buf = buf.slice(i + 2);
          let event = 'message'; let data = '';
          for (const line of block.split('\n')) {
            if (line.startsWith('event: ')) event = line.slice(7);
            else if (line.startsWith('data: ')) data += line.slice(6);
          }
          if (data) apply(event, data);
        }
      }
    } catch { /* aborted */ }
  })();
  await gotSnapshot;
  return state;
}

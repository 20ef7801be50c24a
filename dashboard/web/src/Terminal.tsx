/**
 * A terminal into a container: xterm.js on a WebSocket to the dashboard's /api/exec, which passes
 * it through to the apiserver's pods/exec. The page speaks Kubernetes' channel protocol
 * (v5.channel.k8s.io): byte 0 = stdin, 1/2 = output, 3 = exit status, 4 = resize. xterm is loaded
 * only when a terminal is opened. What is typed before the stream is open is kept and sent once it is.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Selection } from './types';
import { StdinQueue } from '../../shared/stdin-queue';

const enc = new TextEncoder();
const frame = (channel: number, data: Uint8Array) => { const b = new Uint8Array(data.length + 1); b[0] = channel; b.set(data, 1); return b; };

/** The terminal tab of a pod; the shell starts when the user opens it. */
export function Terminal({ sel, containers }: { sel: Selection; containers: string[] }) {
  const box = useRef<HTMLDivElement>(null);
  const [container, setContainer] = useState(containers[0] ?? '');
  const [state, setState] = useState('connecting…');
  useEffect(() => {
    let ws: WebSocket | undefined; let term: import('@xterm/xterm').Terminal | undefined; let gone = false;
    void (async () => {
      const { Terminal: Xterm } = await import('@xterm/xterm');
      await import('@xterm/xterm/css/xterm.css');
      if (gone || !box.current) return;
      term = new Xterm({ cols: 100, rows: 24, convertEol: false, fontSize: 14, screenReaderMode: true });
      term.open(box.current);
      term.focus();
      const input = new StdinQueue<ReturnType<typeof frame>>((f) => ws?.send(f));
      term.onData((d) => input.push(frame(0, enc.encode(d))));
      const q = new URLSearchParams({ namespace: sel.ns!, name: sel.name, container });
      const url = new URL(`api/exec?${q}`, location.href);
      url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
      ws = new WebSocket(url, ['v5.channel.k8s.io']);
      ws.binaryType = 'arraybuffer';
      const dec = new TextDecoder();
      ws.onopen = () => {
        setState('● connected');
        ws!.send(frame(4, enc.encode(JSON.stringify({ Width: term!.cols, Height: term!.rows }))));
        input.open();
        term!.focus();
      };
      ws.onmessage = (ev) => {
        const b = new Uint8Array(ev.data as ArrayBuffer);
        if (b[0] === 1 || b[0] === 2) term!.write(dec.decode(b.subarray(1), { stream: true }));
        else if (b[0] === 3) setState(`exited: ${(JSON.parse(dec.decode(b.subarray(1))) as { status?: string; message?: string }).message ?? 'Success'}`);
      };
      ws.onclose = (ev) => { input.close(); setState((s) => (s.startsWith('exited') ? s : `✖ closed${ev.reason ? `: ${ev.reason}` : ' (the apiserver refused, or the container is gone)'}`)); };
    })().catch((err) => setState(`✖ ${(err as Error).message}`));
    return () => { gone = true; ws?.close(); term?.dispose(); };
  }, [sel.ns, sel.name, container]);
  return <div>
    <div class="toolbar">
      <label>Container <select value={container} onChange={(e) => setContainer((e.target as HTMLSelectElement).value)}>{containers.map((c) => <option key={c}>{c}</option>)}</select></label>
      <span role="status" data-testid="term-state">{state}</span>
    </div>
    <div class="term" ref={box} data-testid="terminal" />
  </div>;
}

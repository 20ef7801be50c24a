/**
 * Reading CRI-format container logs (`<RFC3339Nano> <stream> <P|F> <content>`) back as
 * `kubectl logs` shows them: partial (P) lines joined, optional timestamps, tailLines,
 * sinceTime filtering — Kubernetes' pkg/kubelet/kuberuntime/logs, reduced.
 */

/** One parsed log line. */
export interface CriLogLine { time: string; stream: 'stdout' | 'stderr'; partial: boolean; content: string }

/** Parses one CRI log line; undefined for a malformed one. */
export function parseCriLogLine(line: string): CriLogLine | undefined {
  const m = /^(\S+) (stdout|stderr) ([PF]) ?(.*)$/.exec(line);
  if (!m) return undefined;
  return { time: m[1], stream: m[2] as 'stdout' | 'stderr', partial: m[3] === 'P', content: m[4] };
}

/** Options of a log read (the query of GET /containerLogs). */
export interface LogOptions { timestamps?: boolean; tailLines?: number; sinceTime?: string; limitBytes?: number }

/** Whole log lines (P fragments joined) from CRI log text, filtered and rendered as kubectl prints them. */
export function renderCriLog(text: string, opts: LogOptions = {}): string {
  const out: string[] = [];
  let pending = '';
  let pendingTime = '';
  for (const raw of text.split('\n')) {
    if (!raw) continue;
    const l = parseCriLogLine(raw);
    if (!l) continue;
    if (l.partial) { if (!pending) pendingTime = l.time; pending += l.content; continue; }
    const time = pending ? pendingTime : l.time;
    const content = pending + l.content;
    pending = '';
    if (opts.sinceTime && Date.parse(l.time) < Date.parse(opts.sinceTime)) continue; // a joined line counts from when it completed
    out.push(opts.timestamps ? `${time} ${content}` : content);
  }
  const lines = opts.tailLines !== undefined && opts.tailLines >= 0 ? out.slice(Math.max(0, out.length - opts.tailLines)) : out;
  let s = lines.map((x) => `${x}\n`).join('');
  if (opts.limitBytes !== undefined && opts.limitBytes >= 0) s = Buffer.from(s).subarray(0, opts.limitBytes).toString();
  return s;
}

/**
 * Create or edit objects from YAML. The apiserver's validation causes are listed beside the YAML
 * line of the field they name (found by its last path segment), like an editor's gutter.
 */
import { useState } from 'preact/hooks';
import { post, StatusError } from './api';
import type { Status } from './types';

/** A Deployment to start from. */
export const SAMPLE = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: default
spec:
  replicas: 2
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      containers:
      - name: web
        image: nginx
`;

/** The 1-based YAML line that most likely holds `field` (e.g. spec.template.spec.containers[0].image). */
export function lineOfField(yaml: string, field: string | undefined): number | undefined {
  if (!field) return undefined;
  const last = field.split('.').pop()!.replace(/\[.*$/, '');
  const i = yaml.split('\n').findIndex((l) => new RegExp(`^\\s*-?\\s*${last.replace(/[^\w-]/g, '')}\\s*:`).test(l));
  return i < 0 ? undefined : i + 1;
}

/** The apply view. */
export function Apply({ text, setText }: { text: string; setText(t: string): void }) {
  const [status, setStatus] = useState<Status | null>(null);
  const [result, setResult] = useState('');
  const apply = async () => {
    setStatus(null); setResult('');
    try {
      const r = await post<{ results: Array<{ kind: string; name: string; action: string }> }>('apply', { yaml: text });
      setResult(r.results.map((x) => `${x.kind.toLowerCase()}/${x.name} ${x.action}`).join('\n'));
    } catch (err) {
      setStatus(err instanceof StatusError ? err.status : { message: String(err) });
    }
  };
  const causes = status?.details?.causes ?? [];
  const lines = text.split('\n');
  const marks = new Map<number, string[]>();
  for (const c of causes) { const l = lineOfField(text, c.field); if (l) marks.set(l, [...(marks.get(l) ?? []), `${c.field}: ${c.message}`]); }
  return <div class="apply">
    <label for="yaml">YAML (one or more documents)</label>
    <div class="editor">
      <textarea id="yaml" spellcheck={false} rows={Math.max(18, lines.length + 2)} value={text} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} />
      <ol class="gutter" aria-label="validation errors by line">{lines.map((_, i) => <li key={i} class={marks.has(i + 1) ? 'mark' : ''}>{marks.has(i + 1) ? `✖ ${marks.get(i + 1)!.join('; ')}` : ' '}</li>)}</ol>
    </div>
    <button onClick={apply} data-testid="apply">Apply</button>
    {result ? <pre class="ok" role="status" data-testid="apply-result">{result}</pre> : null}
    {status ? <div class="error" role="alert" data-testid="apply-error">
      <strong>{status.reason ?? 'Error'}:</strong> {status.message}
      {causes.length ? <ul>{causes.map((c, i) => <li key={i} data-field={c.field}><code>{c.field}</code>{lineOfField(text, c.field) ? ` (line ${lineOfField(text, c.field)})` : ''}: {c.message}</li>)}</ul> : null}
    </div> : null}
  </div>;
}

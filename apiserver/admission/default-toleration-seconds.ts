/**
 * DefaultTolerationSeconds: every pod tolerates `node.kubernetes.io/not-ready` and
 * `node.kubernetes.io/unreachable` NoExecute taints for 300 s unless it says otherwise, so a
 * node that stops answering evicts its pods after five minutes (as Kubernetes).
 */
import type { AdmissionPlugin } from './types.js';

const KEYS = ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable'];
interface Toleration { key?: string; operator?: string; value?: string; effect?: string; tolerationSeconds?: number }

/** Adds the default NoExecute tolerations missing from `tolerations`. */
export function withDefaultTolerations(tolerations: Toleration[] = [], seconds = 300): Toleration[] {
  const out = [...tolerations];
  for (const key of KEYS) {
    // A toleration of the key (or of every key) for NoExecute or any effect already decides.
    const has = tolerations.some((t) => (t.key === key || (!t.key && t.operator === 'Exists')) && (!t.effect || t.effect === 'NoExecute'));
    if (!has) out.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: seconds });
  }
  return out;
}

/** The plugin (pods, CREATE). */
export function defaultTolerationSecondsPlugin(seconds = 300): AdmissionPlugin {
  return {
    name: 'DefaultTolerationSeconds',
    type: 'mutating',
    admit(a) {
      if (a.operation !== 'CREATE' || a.ref.group !== '' || a.ref.resource !== 'pods' || a.subresource || !a.object) return;
      const spec = (a.object.spec ?? {}) as { tolerations?: Toleration[] };
      spec.tolerations = withDefaultTolerations(spec.tolerations, seconds);
      a.object.spec = spec as never;
    },
  };
}

/**
 * pod-template-hash: Kubernetes hashes a Deployment's pod template (FNV-1a 32-bit, plus the
 * collision count) and encodes the decimal digits with its "safe" alphabet, so ReplicaSets are
 * named `<deployment>-<hash>`. We hash canonical JSON (sorted keys) instead of Go's spew output.
 */
const SAFE = 'bcdfghjklmnpqrstvwxz2456789';

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v as object).sort().filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** FNV-1a 32-bit of a string's UTF-8 bytes. */
export function fnv32a(s: string): number {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(s, 'utf8')) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** The pod-template-hash label value for a template (and collisionCount). */
export function podTemplateHash(template: unknown, collisionCount?: number): string {
  let s = canonical(template);
  if (collisionCount) s += `#${collisionCount}`;
  return [...String(fnv32a(s))].map((c) => SAFE[c.charCodeAt(0) % SAFE.length]).join('');
}

/** A template without the pod-template-hash label, for comparing an RS's template to a Deployment's. */
export function templateWithoutHash<T extends { metadata?: { labels?: Record<string, string> } }>(t: T | undefined): T | undefined {
  if (!t) return t;
  const c = structuredClone(t);
  if (c.metadata?.labels) {
    delete c.metadata.labels['pod-template-hash'];
  }
  return c;
}

/** True when two templates are equal ignoring the hash label (canonical JSON compare). */
export function sameTemplate(a: unknown, b: unknown): boolean {
  return canonical(templateWithoutHash(a as never)) === canonical(templateWithoutHash(b as never));
}

/**
 * The ABAC authorization mode (--authorization-policy-file): one JSON Policy object per line
 * (abac.authorization.kubernetes.io/v1beta1); a request is allowed when any policy matches its
 * user or group, and its namespace/resource/apiGroup (or nonResourcePath), with `readonly`
 * policies covering only get, list and watch. `*` matches anything.
 */
import type { AuthzAttributes, Decision } from './authz.js';

/** One policy's spec. */
export interface AbacPolicy { user?: string; group?: string; readonly?: boolean; apiGroup?: string; resource?: string; namespace?: string; nonResourcePath?: string }

/** Parses a policy file (JSON lines; blank lines and `#` comments skipped); throws naming the bad line. */
export function parseAbacPolicies(text: string): AbacPolicy[] {
  const out: AbacPolicy[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    let obj: { kind?: string; spec?: AbacPolicy };
    try { obj = JSON.parse(line); } catch (err) { throw new Error(`policy file line ${i + 1}: ${(err as Error).message}`); }
    if (obj.kind !== 'Policy' || !obj.spec) throw new Error(`policy file line ${i + 1}: want {"kind":"Policy","spec":{...}}`);
    if (!obj.spec.user && !obj.spec.group) throw new Error(`policy file line ${i + 1}: a policy needs user or group`);
    out.push(obj.spec);
  });
  return out;
}

const READONLY = new Set(['get', 'list', 'watch']);
const wild = (pattern: string | undefined, value: string | undefined) => pattern === '*' || (pattern !== undefined && pattern === (value ?? ''));

function subjectMatches(p: AbacPolicy, a: AuthzAttributes): boolean {
  const byUser = p.user !== undefined && (p.user === '*' || p.user === a.user.username);
  const byGroup = p.group !== undefined && (p.group === '*' || a.user.groups.includes(p.group));
  return byUser || byGroup;
}

/** True when the policy allows the request. */
export function abacAllows(p: AbacPolicy, a: AuthzAttributes): boolean {
  if (!subjectMatches(p, a)) return false;
  if (p.readonly && !READONLY.has(a.verb)) return false;
  if (!a.resourceRequest) {
    const path = a.path ?? '';
    return p.nonResourcePath === '*' || p.nonResourcePath === path || (!!p.nonResourcePath?.endsWith('*') && path.startsWith(p.nonResourcePath.slice(0, -1)));
  }
  return wild(p.namespace, a.namespace) && wild(p.resource, a.resource) && wild(p.apiGroup, a.group);
}

/** The ABAC decision: allow when a policy matches, else no opinion (later modes may allow). */
export function abacDecide(policies: AbacPolicy[], a: AuthzAttributes): Decision {
  return policies.some((p) => abacAllows(p, a)) ? { decision: 'allow', reason: 'ABAC' } : { decision: 'no-opinion' };
}

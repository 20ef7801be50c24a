/**
 * Authentication (static bearer-token file, as kube-apiserver's --token-auth-file) and the two
 * trivial authorization modes (AlwaysAllow, AlwaysDeny). Anything richer (RBAC) is not here.
 */
import type { IncomingMessage } from 'node:http';
import { ApiError } from '../../lib/errors.js';
import type { UserInfo } from '../registry/types.js';
import type { RequestInfo } from './request-info.js';

/** Parses a token file: one `token,user,uid[,"group1,group2"]` per line (CSV, `#` comments). */
export function parseTokenFile(text: string): Map<string, UserInfo> {
  const out = new Map<string, UserInfo>();
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const fields = splitCsv(line);
    if (fields.length < 3 || !fields[0] || !fields[1]) throw new Error(`token file line ${i + 1}: want token,user,uid[,groups]`);
    const groups = fields[3] ? fields[3].split(',').map((g) => g.trim()).filter(Boolean) : [];
    out.set(fields[0], { username: fields[1], uid: fields[2], groups: [...groups, 'system:authenticated'] });
  });
  return out;
}

function splitCsv(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (ch === ',' && !quoted) { out.push(cur.trim()); cur = ''; }
    else cur += ch;
  }
  out.push(cur.trim());
  return out;
}

/** An authenticator that accepts only `Authorization: Bearer <token>` from the file. */
export function tokenAuthenticator(tokens: Map<string, UserInfo>): (req: IncomingMessage) => UserInfo {
  return (req) => {
    const header = req.headers.authorization ?? '';
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    const user = m ? tokens.get(m[1]) : undefined;
    if (!user) throw new ApiError('Unauthorized', 'Unauthorized');
    return user;
  };
}

/** The authorizer for --authorization-mode (AlwaysAllow or AlwaysDeny). */
export function modeAuthorizer(mode: string): ((user: UserInfo, info: RequestInfo) => void) | undefined {
  if (mode === 'AlwaysAllow') return undefined;
  if (mode !== 'AlwaysDeny') throw new Error(`unsupported --authorization-mode ${JSON.stringify(mode)}: kubesim knows AlwaysAllow and AlwaysDeny`);
  return (user, info) => {
    if (info.kind === 'health' || info.kind === 'version') return;
    if (info.kind !== 'resource') throw new ApiError('Forbidden', `forbidden: User "${user.username}" cannot get path`);
    const ns = info.namespace && info.resource !== 'namespaces' ? ` in the namespace "${info.namespace}"` : '';
    const res = info.subresource ? `${info.resource}/${info.subresource}` : info.resource;
    throw new ApiError('Forbidden', `${info.resource}${info.name ? ` "${info.name}"` : ''} is forbidden: User "${user.username}" cannot ${info.verb} resource "${res}" in API group "${info.group}"${ns}`,
      { name: info.name, group: info.group || undefined, kind: info.resource });
  };
}

/**
 * Serves /openapi/v3 (index) and /openapi/v3/<gv> (documents; kubectl 1.27+ learns there that the
 * server validates fields, `kubectl explain` reads the schemas) and a minimal /openapi/v2
 * (protobuf or JSON; older kubectl needs it). Documents are built once per set of served kinds.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry, ResourceDef } from '../registry/types.js';
import { sendJson } from '../rest/respond.js';
import { VERSION } from '../rest/handler.js';
import { openApiV3Document, openApiV3Index } from './v3.js';
import { OPENAPI_V2_PROTOBUF, openApiV2Json, openApiV2Protobuf } from './v2.js';

interface Built { index: Record<string, unknown>; docs: Map<string, Record<string, unknown> | undefined> }

let cache: { key: string; built: Built } | undefined;

// Building every schema takes ~100 ms: do it once for the served kinds, not per kubectl command.
function built(defs: ResourceDef[]): Built {
  const key = defs.map((d) => `${d.group}/${d.version}/${d.resource}`).join(',');
  if (cache?.key !== key) cache = { key, built: { index: openApiV3Index(defs), docs: new Map() } };
  return cache.built;
}

/** Answers an /openapi/... request; false when the path is not served (the caller sends 404). */
export async function serveOpenApi(registry: Registry, req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> {
  const defs = registry.resources();
  if (path === '/openapi/v2') {
    if ((req.headers.accept ?? '').includes('protobuf')) {
      const body = openApiV2Protobuf('Kubernetes', VERSION.gitVersion);
      res.writeHead(200, { 'Content-Type': OPENAPI_V2_PROTOBUF, 'Content-Length': body.length }).end(body);
    } else {
      sendJson(res, 200, openApiV2Json('Kubernetes', VERSION.gitVersion));
    }
    return true;
  }
  const b = built(defs);
  if (path === '/openapi/v3') {
    sendJson(res, 200, b.index);
    return true;
  }
  const m = /^\/openapi\/v3\/(?:api\/([^/]+)|apis\/([^/]+)\/([^/]+))$/.exec(path);
  if (!m) return false;
  const [group, version] = m[1] ? ['', m[1]] : [m[2], m[3]];
  const key = `${group}/${version}`;
  if (!b.docs.has(key)) b.docs.set(key, openApiV3Document(defs, group, version));
  const doc = b.docs.get(key);
  if (!doc) return false;
  sendJson(res, 200, doc);
  return true;
}

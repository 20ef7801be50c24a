/**
 * Serves /openapi/v3 (index) and /openapi/v3/<gv> (documents; kubectl 1.27+ learns there that the
 * server validates fields) and a minimal /openapi/v2 (protobuf or JSON; older kubectl needs it).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry } from '../registry/types.js';
import { sendJson } from '../rest/respond.js';
import { openApiV3Document, openApiV3Index } from './v3.js';
import { OPENAPI_V2_PROTOBUF, openApiV2Json, openApiV2Protobuf } from './v2.js';
import { VERSION } from '../rest/handler.js';

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
  if (path === '/openapi/v3') {
    sendJson(res, 200, openApiV3Index(defs));
    return true;
  }
  const m = /^\/openapi\/v3\/(?:api\/([^/]+)|apis\/([^/]+)\/([^/]+))$/.exec(path);
  if (!m) return false;
  const doc = m[1] ? openApiV3Document(defs, '', m[1]) : openApiV3Document(defs, m[2], m[3]);
  if (!doc) return false;
  sendJson(res, 200, doc);
  return true;
}

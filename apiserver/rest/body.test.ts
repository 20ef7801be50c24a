import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, type IncomingMessage } from 'node:http';
import { ApiError } from '../../lib/errors.js';
import { decodeBody, decodeObject, decodePatch, patchTypeOf, readBody } from './body.js';

const b = (s: string) => Buffer.from(s);
const code = (fn: () => unknown) => { try { fn(); } catch (e) { return (e as ApiError).code; } return 'ok'; };

test('bodies decode as JSON or YAML; problems are 400 naming the cause', () => {
  assert.deepEqual(decodeBody(b('{"a":1}'), 'application/json'), { a: 1 });
  assert.deepEqual(decodeBody(b('a: 1\nb: [x]\n'), 'application/yaml'), { a: 1, b: ['x'] });
  assert.deepEqual(decodeBody(b('kind: Pod\n'), undefined), { kind: 'Pod' });
  assert.equal(code(() => decodeBody(b('{"a":'), 'application/json')), 'BadRequest');
  assert.match(String((() => { try { decodeBody(b('{"a":'), 'application/json'); } catch (e) { return (e as Error).message; } })()), /JSON/);
  assert.equal(code(() => decodeBody(b('a: [1'), 'application/yaml')), 'BadRequest');
  assert.equal(code(() => decodeBody(b('a: 1\n---\nb: 2\n'), 'application/yaml')), 'BadRequest');
  assert.equal(code(() => decodeBody(b('*nope'), 'application/yaml')), 'BadRequest');
  assert.equal(code(() => decodeBody(b('a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n'), 'application/yaml')), 'BadRequest');
  assert.equal(code(() => decodeBody(b(''), 'application/json')), 'BadRequest');
  assert.equal(code(() => decodeBody(b('x'), 'application/cbor')), 'UnsupportedMediaType');
  assert.equal(code(() => decodeBody(b('x'), 'application/vnd.kubernetes.protobuf')), 'BadRequest');
  assert.equal(code(() => decodeObject(b('[1]'), 'application/json')), 'BadRequest');
  assert.equal(code(() => decodeObject(b('null'), 'application/json')), 'BadRequest');
});

test('patch content types map to patch types; bodies must have the right shape', () => {
  assert.equal(patchTypeOf('application/json-patch+json'), 'json');
  assert.equal(patchTypeOf('application/merge-patch+json; charset=utf-8'), 'merge');
  assert.equal(patchTypeOf('application/strategic-merge-patch+json'), 'strategic');
  assert.equal(patchTypeOf('application/apply-patch+yaml'), 'apply');
  assert.equal(code(() => patchTypeOf('application/json')), 'UnsupportedMediaType');
  assert.deepEqual(decodePatch(b('[{"op":"add","path":"/a","value":1}]'), 'json'), [{ op: 'add', path: '/a', value: 1 }]);
  assert.equal(code(() => decodePatch(b('{"a":1}'), 'json')), 'BadRequest');
  assert.equal(code(() => decodePatch(b('[1]'), 'merge')), 'BadRequest');
  assert.deepEqual(decodePatch(b('apiVersion: v1\nkind: ConfigMap\n'), 'apply'), { apiVersion: 'v1', kind: 'ConfigMap' });
});

test('readBody refuses bodies over the limit with 413, declared or streamed', async (t) => {
  const results: string[] = [];
  const srv = createServer((req: IncomingMessage, res) => {
    readBody(req, 1024).then((buf) => { results.push(`ok:${buf.length}`); res.end('ok'); }, (e: ApiError) => { results.push(e.code); res.statusCode = e.httpStatus; res.end(); });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => srv.close(() => r())));
  const port = (srv.address() as { port: number }).port;
  const send = (body: Buffer, chunked: boolean) => new Promise<number>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/', headers: chunked ? {} : { 'Content-Length': body.length } }, (res) => { res.resume(); resolve(res.statusCode ?? 0); });
    req.on('error', reject);
    req.end(body);
  });
  assert.equal(await send(Buffer.alloc(100), false), 200);
  assert.equal(await send(Buffer.alloc(5000), false), 413);
  assert.equal(await send(Buffer.alloc(5000), true), 413);
  assert.deepEqual(results, ['ok:100', 'TooLarge', 'TooLarge']);
});

test('nesting: 500 levels decode, 501 are a 400, and absurd depth fails without overflowing the stack', () => {
  const nested = (n: number, open: string, close: string) => open.repeat(n) + close.repeat(n);
  assert.equal(code(() => decodeBody(b(`{"a":${nested(499, '[', ']')}}`), 'application/json')), 'ok');
  assert.equal(code(() => decodeBody(b(`{"a":${nested(500, '[', ']')}}`), 'application/json')), 'BadRequest');
  assert.equal(code(() => decodeBody(b(`{"a":${nested(499, '{"x":', '}').replace(/\{"x":\}/, '{}')}}`), 'application/json')), 'ok');
  assert.equal(code(() => decodeBody(b(`{"a":${nested(200_000, '[', ']')}}`), 'application/json')), 'BadRequest');
});

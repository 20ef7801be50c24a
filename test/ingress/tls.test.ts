/**
 * TLS termination: an Ingress with spec.tls and a kubernetes.io/tls Secret is served over HTTPS
 * by the controller process, the certificate picked by SNI; other names fail the handshake.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startControlPlane } from '../../lib/testing/control-plane.js';
import { freePort } from '../../lib/testing/ports.js';
import { waitFor } from '../../lib/testing/wait.js';
import { R } from '../../lib/client/resources.js';
import type { Ingress, Secret } from '../../lib/api/types.js';
import { startBackend, startController, type Backend } from './helpers.js';

const NS = `ksimt-tls-${Math.random().toString(36).slice(2, 7)}`;

function httpsGet(port: number, servername: string, ca: Buffer, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, servername, ca, headers: { host: servername }, agent: false, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => { body += c; }).on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

test('ingress TLS: spec.tls hosts served over HTTPS with the Secret chosen by SNI', { timeout: 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ksimt-tls-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-keyout', join(dir, 'tls.key'), '-out', join(dir, 'tls.crt'), '-subj', '/CN=secure.example.com', '-addext', 'subjectAltName=DNS:secure.example.com'], { stdio: 'ignore' });
  const crt = readFileSync(join(dir, 'tls.crt'));
  const key = readFileSync(join(dir, 'tls.key'));

  const cp = await startControlPlane();
  const backends: Backend[] = [];
  t.after(async () => { for (const b of backends) await b.close(); await cp.stop(); });
  const c = cp.client;
  await c.create(R.namespaces, { metadata: { name: NS } });
  const b = await startBackend('secure', '127.0.0.41');
  backends.push(b);
  await c.create({ ...R.services, namespace: NS }, { metadata: { name: 'web' }, spec: { ports: [{ port: 80, protocol: 'TCP' }] } });
  await c.create({ ...R.endpoints, namespace: NS }, { metadata: { name: 'web' }, subsets: [{ addresses: [{ ip: b.ip }], ports: [{ port: b.port, protocol: 'TCP' }] }] });
  const secret: Secret = { metadata: { name: 'web-tls' }, type: 'kubernetes.io/tls', data: { 'tls.crt': crt.toString('base64'), 'tls.key': key.toString('base64') } };
  await c.create({ ...R.secrets, namespace: NS }, secret);
  // An Opaque Secret is not read by the controller (its informer only lists TLS Secrets).
  await c.create({ ...R.secrets, namespace: NS }, { metadata: { name: 'other' }, type: 'Opaque', data: { a: 'Yg==' } });
  const ing: Ingress = { metadata: { name: 'secure' }, spec: { ingressClassName: 'kubesim', tls: [{ hosts: ['secure.example.com'], secretName: 'web-tls' }],
    rules: [{ host: 'secure.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }] } };
  await c.create({ ...R.ingresses, namespace: NS }, ing);

  const httpsPort = await freePort();
  const ctl = await startController(cp.grpcTarget, [`--https-port=${httpsPort}`]);
  t.after(() => ctl.stop());
  const r = await waitFor('HTTPS served', async () => {
    const res = await httpsGet(httpsPort, 'secure.example.com', crt, '/x');
    return res.status === 200 ? res : undefined;
  });
  const seen = JSON.parse(r.body) as { backend: string; headers: Record<string, string> };
  assert.equal(seen.backend, 'secure');
  assert.equal(seen.headers['x-forwarded-proto'], 'https');
  await assert.rejects(httpsGet(httpsPort, 'nope.example.com', crt, '/'), /secure TLS connection|alert|handshake|socket hang up|ECONNRESET/i);
});

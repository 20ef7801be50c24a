import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '../../lib/testing/ports.js';
import { waitFor } from '../../lib/testing/wait.js';

test('nginx keeps serving when a Service named nginx puts NGINX_PORT=tcp://... into the pod', async () => {
  const port = await freePort();
  const child = spawn(process.execPath, [join(import.meta.dirname, 'server.js')], {
    env: { ...process.env, NGINX_PORT: 'tcp://10.96.0.5:80', NGINX_SERVICE_PORT: '80', KUBESIM_NGINX_PORT: String(port), NGINX_ROOT: import.meta.dirname },
    stdio: 'ignore',
  });
  try {
    const res = await waitFor('nginx answers', async () => fetch(`http://127.0.0.1:${port}/`).catch(() => undefined), { timeoutMs: 10_000 });
    assert.match(res.headers.get('server') ?? '', /^nginx\//);
    assert.equal(child.exitCode, null, 'still running');
  } finally {
    child.kill('SIGTERM');
  }
});

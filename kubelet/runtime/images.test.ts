import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IMAGE_MOUNT, ImageRegistry, defaultImagesDir, normalizeRef, parseImageMap } from './images.js';
import { isApiError } from '../../lib/errors.js';

test('normalizeRef strips registry, library/, tag and digest', () => {
  assert.equal(normalizeRef('nginx:1.14.2'), 'nginx');
  assert.equal(normalizeRef('docker.io/library/nginx:latest'), 'nginx');
  assert.equal(normalizeRef('registry.k8s.io/pause:3.9'), 'pause');
  assert.equal(normalizeRef('localhost:5000/team/app@sha256:abc'), 'team/app');
  assert.equal(normalizeRef('luksa/kubia-pet'), 'luksa/kubia-pet');
});

test('built-in images resolve from any tag or registry prefix; unknown ones fail like a pull', () => {
  const reg = new ImageRegistry(defaultImagesDir());
  assert.equal(reg.resolve('nginx:1.14.2').name, 'nginx');
  assert.equal(reg.resolve('registry.k8s.io/nginx-slim:0.8').name, 'nginx');
  assert.equal(reg.resolve('busybox:1.28').name, 'busybox');
  assert.equal(reg.resolve('perl:5.34.0').name, 'perl');
  assert.equal(reg.resolve('k8s.gcr.io/pause:3.1').name, 'pause');
  assert.equal(reg.resolve('traefik/whoami:v1.10').name, 'whoami');
  assert.equal(reg.resolve('luksa/kubia-pet').name, 'kubia-pet');
  assert.equal(reg.resolve('luksa/kubia').name, 'kubia');
  const nginx = reg.resolve('nginx');
  assert.ok(nginx.rootfs?.endsWith('/nginx/rootfs'));
  assert.equal(nginx.cmd[1], `${IMAGE_MOUNT}/server.js`, 'IMAGE_DIR is the in-container mount of the image folder');
  assert.equal(reg.resolve(nginx.id).name, 'nginx');
  assert.throws(() => reg.resolve('nosuch/image:1'), (e) => isApiError(e, 'NotFound') && /ErrImagePull/.test(e.message) && /nosuch\/image:1/.test(e.message));
  assert.throws(() => reg.resolve(''), (e) => isApiError(e, 'Invalid'));
});

test('an image map adds names with wildcards', () => {
  const reg = new ImageRegistry(defaultImagesDir(), 'mycorp/web-* nginx\n# comment\ngcr.io/google-samples/* generic\n');
  assert.equal(reg.resolve('mycorp/web-frontend:2').name, 'nginx');
  assert.equal(reg.resolve('gcr.io/google-samples/hello-app:1.0').name, 'generic');
  assert.equal(new ImageRegistry(defaultImagesDir(), '{"acme/*": "kubia"}').resolve('acme/x').name, 'kubia');
  assert.throws(() => parseImageMap('lonely-pattern'), (e) => isApiError(e, 'Invalid'));
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inMemory, isMountPoint, projectKeys, secretVolumeInPlace, setupConfigMapVolume, setupEmptyDir, setupHostPath, setupSecretVolume, teardownPodVolumes } from './volumes.js';
import { runOk } from '../runtime/run.js';
import { writeAtomic } from './atomic-writer.js';
import { tempDir } from '../testing/netns.js';
import { isApiError } from '../../lib/errors.js';

test('atomic writer: ..data swap, visible symlinks, removed keys vanish, old version deleted', () => {
  const tmp = tempDir();
  try {
    const dir = join(tmp.dir, 'cm');
    writeAtomic(dir, [{ path: 'a', data: '1' }, { path: 'sub/b', data: '2' }]);
    assert.equal(readFileSync(join(dir, 'a'), 'utf8'), '1');
    assert.equal(readFileSync(join(dir, 'sub/b'), 'utf8'), '2');
    assert.ok(lstatSync(join(dir, 'a')).isSymbolicLink() && lstatSync(join(dir, '..data')).isSymbolicLink());
    const held = join(dir, 'a'); // a reader keeps the same path across updates
    writeAtomic(dir, [{ path: 'a', data: 'new' }, { path: 'c', data: '3', mode: 0o600 }]);
    assert.equal(readFileSync(held, 'utf8'), 'new');
    assert.ok(!existsSync(join(dir, 'sub')));
    assert.equal(statSync(join(dir, 'c')).mode & 0o777, 0o600);
    assert.equal(readdirSync(dir).filter((n) => n.startsWith('..') && n !== '..data').length, 1);
    assert.throws(() => writeAtomic(dir, [{ path: '../escape', data: 'x' }]), (e) => isApiError(e, 'Invalid'));
  } finally {
    tmp.remove();
  }
});

test('emptyDir on disk and in memory (tmpfs), secrets on tmpfs, teardown unmounts and deletes', async (t) => {
  const tmp = tempDir();
  const pod = join(tmp.dir, 'pods', 'uid1');
  t.after(async () => { await teardownPodVolumes(pod); tmp.remove(); });
  const disk = await setupEmptyDir(pod, 'cache');
  assert.ok(statSync(disk).isDirectory() && !isMountPoint(disk));
  const mem = await setupEmptyDir(pod, 'shm', 'Memory', 8 * 1024 * 1024);
  assert.ok(isMountPoint(mem));
  const sec = await setupSecretVolume(pod, 'creds', projectKeys({ username: 'admin', password: Buffer.from('s3cret') }, undefined, 'secret creds'));
  assert.ok(isMountPoint(sec));
  assert.equal(readFileSync(join(sec, 'password'), 'utf8'), 's3cret');
  const cm = setupConfigMapVolume(pod, 'conf', projectKeys({ 'app.conf': 'x=1', other: 'y' }, [{ key: 'app.conf', path: 'etc/app.conf' }], 'configmap conf'));
  assert.equal(readFileSync(join(cm, 'etc/app.conf'), 'utf8'), 'x=1');
  assert.ok(!existsSync(join(cm, 'other')));
  await assert.rejects(setupEmptyDir(pod, 'bad', 'HugePages-1Gi'), (e) => isApiError(e, 'Invalid'));
  assert.throws(() => projectKeys({}, [{ key: 'missing', path: 'm' }], 'configmap x'), (e) => isApiError(e, 'Invalid') && /missing/.test(e.message));
  assert.deepEqual(projectKeys({}, [{ key: 'missing', path: 'm' }], 'configmap x', true), []);
  await teardownPodVolumes(pod);
  assert.ok(!isMountPoint(mem) && !isMountPoint(sec) && !existsSync(pod));
});

test('a pods folder already in memory (compose\'s shared tmpfs volume): secrets need no mount of their own', async (t) => {
  const tmp = tempDir();
  const pods = join(tmp.dir, 'pods');
  mkdirSync(pods);
  await runOk('mount', ['-t', 'tmpfs', 'tmpfs', pods]);
  t.after(async () => { await runOk('umount', ['-l', pods]).catch(() => undefined); tmp.remove(); });
  const pod = join(pods, 'uid1');
  const sec = await setupSecretVolume(pod, 'creds', projectKeys({ token: 'abc' }, undefined, 'secret creds'));
  assert.ok(!isMountPoint(sec), 'no tmpfs mounted on top of the in-memory folder');
  assert.ok(inMemory(sec) && secretVolumeInPlace(sec));
  assert.equal(readFileSync(join(sec, 'token'), 'utf8'), 'abc');
  // A size limit still gets its own tmpfs (the limit is the point of it).
  assert.ok(isMountPoint(await setupEmptyDir(pod, 'small', 'Memory', 1024 * 1024)));
  await teardownPodVolumes(pod);
  assert.ok(!existsSync(pod) && !secretVolumeInPlace(sec));
});

test('hostPath type checks', () => {
  const tmp = tempDir();
  try {
    const d = setupHostPath(join(tmp.dir, 'new/dir'), 'DirectoryOrCreate');
    assert.ok(statSync(d).isDirectory());
    writeFileSync(join(tmp.dir, 'f'), 'x');
    assert.equal(setupHostPath(join(tmp.dir, 'f'), 'File'), join(tmp.dir, 'f'));
    assert.throws(() => setupHostPath(join(tmp.dir, 'f'), 'Directory'), (e) => isApiError(e, 'Invalid') && /is not a directory/.test(e.message));
    assert.throws(() => setupHostPath(join(tmp.dir, 'nope'), 'File'), (e) => isApiError(e, 'Invalid'));
    assert.ok(statSync(setupHostPath(join(tmp.dir, 'g'), 'FileOrCreate')).isFile());
    assert.throws(() => setupHostPath(tmp.dir, 'Weird'), (e) => isApiError(e, 'Invalid'));
  } finally {
    tmp.remove();
  }
});

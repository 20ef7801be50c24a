/** Test fixture: one real etcd + client per test file, stopped after the file's tests. */
import { after, before } from 'node:test';
import { Etcd3 } from 'etcd3';
import { startEtcd, type TestEtcd } from '../../lib/testing/etcd.js';

/** Registers before/after hooks; the returned function gives the client once started. */
export function useEtcd(): () => Etcd3 {
  let etcd: TestEtcd | undefined;
  let client: Etcd3 | undefined;
  before(async () => {
    etcd = await startEtcd();
    client = new Etcd3({ hosts: etcd.endpoint });
  });
  after(async () => {
    client?.close();
    await etcd?.stop();
  });
  return () => {
    if (!client) throw new Error('etcd fixture used outside a test');
    return client;
  };
}

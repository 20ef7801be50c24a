/**
 * A real control plane for component tests: a real etcd process, the real registry, the REST
 * facade and the gRPC facade on port 0 in this process, and an ApiClient connected to it.
 */
import { Etcd3 } from 'etcd3';
import { startEtcd, type TestEtcd } from './etcd.js';
import { EtcdKv } from '../../apiserver/storage/etcd-kv.js';
import { createRegistry, type RegistryHandle } from '../../apiserver/registry/registry.js';
import { startApiServer, type RunningApiServer } from '../../apiserver/server.js';
import { startGrpcServer } from '../../apiserver/grpc/server.js';
import { ApiClient } from '../client/api-client.js';

/** A running test control plane; stop() removes everything. */
export interface TestControlPlane {
  etcd: TestEtcd;
  registry: RegistryHandle;
  server: RunningApiServer;
  /** REST base URL, e.g. http://127.0.0.1:41234 */
  restURL: string;
  /** gRPC target, e.g. 127.0.0.1:41235 */
  grpcTarget: string;
  /** A gRPC client (admin). */
  client: ApiClient;
  stop(): Promise<void>;
}

/** Starts etcd + registry + REST + gRPC on free loopback ports. */
export async function startControlPlane(opts: { serviceClusterIPRange?: string } = {}): Promise<TestControlPlane> {
  const etcd = await startEtcd();
  const etcdClient = new Etcd3({ hosts: etcd.endpoint });
  const etcdKv = new EtcdKv([etcd.endpoint]);
  let registry: RegistryHandle | undefined;
  try {
    registry = await createRegistry({ etcd: etcdClient, etcdKv, serviceClusterIPRange: opts.serviceClusterIPRange ?? '10.96.0.0/12' });
    const reg = registry;
    const server = await startApiServer({
      registry: reg,
      bindAddress: '127.0.0.1',
      port: 0,
      healthy: async () => true,
      startGrpc: () => startGrpcServer({ registry: reg, host: '127.0.0.1', port: 0 }),
    });
    const grpcTarget = `127.0.0.1:${server.grpcPort}`;
    const client = ApiClient.connect(grpcTarget);
    return {
      etcd, registry: reg, server, restURL: `http://127.0.0.1:${server.httpPort}`, grpcTarget, client,
      async stop() {
        client.close();
        await server.close();
        await reg.close();
        etcdKv.close();
        etcdClient.close();
        await etcd.stop();
      },
    };
  } catch (err) {
    await registry?.close().catch(() => undefined);
    etcdKv.close();
    etcdClient.close();
    await etcd.stop();
    throw err;
  }
}

/**
 * Test helper for components: a real etcd + the real registry + this gRPC facade on a free port,
 * and an ApiClient connected to it. `stop()` closes all of it (call it in t.after / finally).
 */
import { startTestRegistry, type TestRegistry } from '../registry/testing.js';
import type { RegistryOptions } from '../registry/registry.js';
import { startGrpcServer, type GrpcServer } from './server.js';
import { ApiClient } from '../../lib/client/api-client.js';

/** A running test apiserver (gRPC only) with a connected client. */
export interface TestApiServer { registry: TestRegistry; server: GrpcServer; client: ApiClient; target: string; stop(): Promise<void> }

/** Starts etcd, the registry and the gRPC facade; returns a connected client. */
export async function startTestApiServer(opts: Partial<RegistryOptions> = {}): Promise<TestApiServer> {
  const registry = await startTestRegistry(opts);
  let server: GrpcServer;
  try {
    server = await startGrpcServer({ registry: registry.reg, host: '127.0.0.1', port: 0 });
  } catch (err) {
    await registry.stop();
    throw err;
  }
  const target = `127.0.0.1:${server.port}`;
  const client = ApiClient.connect(target);
  return {
    registry, server, client, target,
    async stop() { client.close(); await server.close(); await registry.stop(); },
  };
}

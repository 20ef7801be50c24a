/**
 * A small CRI client for the kubelet, tests and benchmarks: `rt.call('RunPodSandbox', req)`
 * returns the decoded response; gRPC errors become ApiErrors (code from the kubesim-reason
 * metadata when present).
 */
import * as grpc from '@grpc/grpc-js';
import { ApiError, type ApiErrorCode } from '../../lib/errors.js';
import { criDefinitions } from './cri-server.js';

type AnyClient = grpc.Client & Record<string, (...a: unknown[]) => unknown>;
/** A streaming Exec or Attach call. */
export type CriStream = grpc.ClientDuplexStream<object, { stdout: Buffer; stderr: Buffer; exited: boolean; exit_code: number }>;

function toApiError(err: grpc.ServiceError): ApiError {
  const reason = err.metadata?.get('kubesim-reason')[0];
  return new ApiError((typeof reason === 'string' ? reason : ApiError.codeFromGrpc(err.code)) as ApiErrorCode, err.details || err.message);
}

/** The file path of a CRI endpoint given as a path, unix:path or unix:///path. */
export function socketPath(endpoint: string): string {
  return endpoint.replace(/^unix:(\/\/)?/, '');
}

/** A connection to a CRI runtime over a unix socket. */
export class CriClient {
  private readonly runtimeClient: AnyClient;
  private readonly imageClient: AnyClient;

  constructor(endpoint: string) {
    const socket = socketPath(endpoint);
    const defs = criDefinitions();
    const RuntimeCtor = grpc.makeGenericClientConstructor(defs.runtime, 'RuntimeService');
    const ImageCtor = grpc.makeGenericClientConstructor(defs.image, 'ImageService');
    this.runtimeClient = new RuntimeCtor(`unix:${socket}`, grpc.credentials.createInsecure()) as unknown as AnyClient;
    this.imageClient = new ImageCtor(`unix:${socket}`, grpc.credentials.createInsecure(), { channelOverride: this.runtimeClient.getChannel() }) as unknown as AnyClient;
  }

  private unary<T>(client: AnyClient, method: string, req: object, timeoutMs: number): Promise<T> {
    return new Promise((resolve, reject) => {
      client[method](req, { deadline: Date.now() + timeoutMs }, (err: grpc.ServiceError | null, res: T) => (err ? reject(toApiError(err)) : resolve(res)));
    });
  }

  /** Calls a RuntimeService method. */
  call<T = any>(method: string, req: object = {}, timeoutMs = 60_000): Promise<T> { // eslint-disable-line @typescript-eslint/no-explicit-any
    return this.unary<T>(this.runtimeClient, method, req, timeoutMs);
  }

  /** Calls an ImageService method. */
  image<T = any>(method: string, req: object = {}, timeoutMs = 60_000): Promise<T> { // eslint-disable-line @typescript-eslint/no-explicit-any
    return this.unary<T>(this.imageClient, method, req, timeoutMs);
  }

  /**
   * Opens a streaming Exec (on a terminal of `size` when `tty`); write {stdin_data}/{stdin_close}/
   * {resize_cols, resize_rows}, read {stdout, stderr, exited, exit_code}.
   */
  exec(containerId: string, cmd: string[], tty = false, size?: { cols: number; rows: number }): CriStream {
    return this.stream('Exec', { container_id: containerId, cmd, tty, resize_cols: size?.cols ?? 0, resize_rows: size?.rows ?? 0 });
  }

  /** Attaches to a running container's stdio (messages as for exec); `stdin` says whether this client sends input. */
  attach(containerId: string, stdin: boolean, size?: { cols: number; rows: number }): CriStream {
    return this.stream('Attach', { container_id: containerId, stdin, resize_cols: size?.cols ?? 0, resize_rows: size?.rows ?? 0 });
  }

  private stream(method: 'Exec' | 'Attach', first: object): CriStream {
    const stream = (this.runtimeClient[method] as () => CriStream).call(this.runtimeClient);
    stream.write(first);
    return stream;
  }

  /** Closes the connection. */
  close(): void {
    this.runtimeClient.close();
    this.imageClient.close();
  }
}

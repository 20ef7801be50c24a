/**
 * testcontainers settings for this machine, set before testcontainers is loaded: no Ryuk (its
 * image cannot be pulled here) and the host seen as localhost (else, because /.dockerenv exists,
 * it pulls a helper image to find the gateway).
 */
import { execFileSync } from 'node:child_process';
process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
process.env.TESTCONTAINERS_HOST_OVERRIDE ??= 'localhost';

/** Base image of the kubesim image (scripts/offline-images.sh builds it with no registry). */
export const BASE_IMAGE = process.env.BASE_IMAGE ?? 'kubesim-base:offline';
/** etcd image (offline: from the host's etcd binaries). */
export const ETCD_IMAGE = process.env.ETCD_IMAGE ?? 'kubesim-etcd:offline';

/** Why Docker cannot be used here (no client, no engine, or no offline base images), or undefined when it can. */
export function dockerUnavailable(): string | undefined {
  try {
    execFileSync('docker', ['info'], { stdio: 'ignore', timeout: 20_000 });
  } catch {
    return 'no Docker engine answers `docker info` (install docker.io and start dockerd; .ci/run does)';
  }
  if (!process.env.BASE_IMAGE || !process.env.ETCD_IMAGE) {
    for (const img of [BASE_IMAGE, ETCD_IMAGE]) {
      try {
        execFileSync('docker', ['image', 'inspect', img], { stdio: 'ignore', timeout: 20_000 });
      } catch {
        return `the image ${img} is missing: build it with scripts/offline-images.sh (no registry needed)`;
      }
    }
  }
  return undefined;
}

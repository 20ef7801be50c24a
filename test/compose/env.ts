/**
 * testcontainers settings for this machine, set before testcontainers is loaded: no Ryuk (its
 * image cannot be pulled here) and the host seen as localhost (else, because /.dockerenv exists,
 * it pulls a helper image to find the gateway).
 */
process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
process.env.TESTCONTAINERS_HOST_OVERRIDE ??= 'localhost';

/** Base image of the kubesim image (scripts/offline-images.sh builds it with no registry). */
export const BASE_IMAGE = process.env.BASE_IMAGE ?? 'kubesim-base:offline';
/** etcd image (offline: from the host's etcd binaries). */
export const ETCD_IMAGE = process.env.ETCD_IMAGE ?? 'kubesim-etcd:offline';

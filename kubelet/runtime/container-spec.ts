/** How an image and a CRI ContainerConfig combine into the process to run (Docker/OCI rules). */
import type { BuiltinImage } from './images.js';

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * The argv: `command` replaces the image entrypoint (and drops its cmd); `args` replace the
 * image cmd. With neither, entrypoint + cmd of the image.
 */
export function imageArgv(img: Pick<BuiltinImage, 'entrypoint' | 'cmd'>, command: string[], args: string[]): string[] {
  if (command.length) return [...command, ...args];
  return [...img.entrypoint, ...(args.length ? args : img.cmd)];
}

/** The environment (KEY=VALUE list): PATH default, HOSTNAME, the image's env, then the container's (later wins). */
export function imageEnv(img: Pick<BuiltinImage, 'env'>, envs: Array<{ name: string; value: string }>, hostname: string): string[] {
  const m = new Map<string, string>([['PATH', DEFAULT_PATH], ['HOSTNAME', hostname], ['HOME', '/root']]);
  for (const kv of img.env) {
    const eq = kv.indexOf('=');
    if (eq > 0) m.set(kv.slice(0, eq), kv.slice(eq + 1));
  }
  for (const e of envs) if (e.name) m.set(e.name, e.value);
  return [...m].map(([k, v]) => `${k}=${v}`);
}

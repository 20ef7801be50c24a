/**
 * The podnet addon: the pod network steps of the runtime and its CNI plugin done in-process
 * (network namespace creation as `ip netns add`, the veth into the node bridge, the pod side's
 * address, lo and default route over rtnetlink) instead of running `ip` for each: every program
 * started from the Node.js process costs a fork of a large process. `podnet` is undefined when
 * the addon is not built or KUBESIM_PODNET=ip is set; callers then run `ip` as before.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The addon's calls (synchronous; they throw an Error naming the failed step). */
export interface PodNet {
  /** `ip netns add <name>`. */
  netnsAdd(name: string): void;
  /** `ip [-n host] link add <host> mtu M type veth peer name <peer> mtu M netns <pod>; ip link set <host> master <bridge> up`. */
  vethPlug(o: { hostNetns: string; host: string; peer: string; podNetns: string; mtu: number; bridge: string }): void;
  /** In the namespace at `netns`: lo up, `address/prefix` on ifName, ifName up, default route via gateway. */
  podIfUp(o: { netns: string; ifName: string; address: string; prefix: number; gateway: string }): void;
}

function load(): PodNet | undefined {
  if (process.env.KUBESIM_PODNET === 'ip') return undefined;
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, 'build/Release/podnet.node'), resolve(here, '../../../kubelet/netlink/build/Release/podnet.node')];
  const found = candidates.find((p) => existsSync(p));
  if (!found) return undefined;
  try { return createRequire(import.meta.url)(found) as PodNet; } catch { return undefined; }
}

/** The addon, or undefined (use `ip`). */
export const podnet: PodNet | undefined = load();

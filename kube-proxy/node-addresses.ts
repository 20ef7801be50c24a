/** The node's own IPv4 addresses inside given CIDRs (kube-proxy's --nodeport-addresses). */
import { networkInterfaces } from 'node:os';
import ipaddr from 'ipaddr.js';
import { SERVICE_INTERFACE } from './service-ip-interface.js';

/** Parses a comma-separated CIDR list; throws a clear error on a bad entry. */
export function parseCIDRs(flag: string, value: string): [ipaddr.IPv4, number][] {
  return value.split(',').map((s) => s.trim()).filter(Boolean).map((s) => {
    try {
      const [ip, bits] = ipaddr.parseCIDR(s);
      if (ip.kind() !== 'ipv4') throw new Error('IPv6 is not supported');
      return [ip as ipaddr.IPv4, bits];
    } catch (err) {
      throw new Error(`${flag}: invalid CIDR ${JSON.stringify(s)}: ${(err as Error).message}`);
    }
  });
}

/** This namespace's IPv4 addresses (service addresses excluded) inside any of `cidrs`. */
export function nodeAddressesIn(cidrs: [ipaddr.IPv4, number][]): string[] {
  const out: string[] = [];
  for (const [name, addrs] of Object.entries(networkInterfaces())) {
    if (name === SERVICE_INTERFACE) continue;
    for (const a of addrs ?? []) {
      if (a.family !== 'IPv4') continue;
      const ip = ipaddr.IPv4.parse(a.address);
      if (cidrs.some((c) => ip.match(c))) out.push(a.address);
    }
  }
  return out;
}

/** The files every container of a pod shares: /etc/resolv.conf, /etc/hosts, /etc/hostname. */

/** CRI DNSConfig: nameservers, search domains, options. */
export interface DnsSettings { servers?: string[] | null; searches?: string[] | null; options?: string[] | null }

/** resolv.conf text for a DNSConfig; with no servers, the node's own resolv.conf is used. */
export function renderResolvConf(dns: DnsSettings | null | undefined, nodeResolvConf: string): string {
  if (!dns || !(dns.servers?.length || dns.searches?.length || dns.options?.length)) return nodeResolvConf;
  const lines: string[] = [];
  if (dns.searches?.length) lines.push(`search ${dns.searches.join(' ')}`);
  for (const s of dns.servers ?? []) lines.push(`nameserver ${s}`);
  if (dns.options?.length) lines.push(`options ${dns.options.join(' ')}`);
  return lines.join('\n') + '\n';
}

/** /etc/hosts as the kubelet writes it: localhost entries and the pod's own address and names. */
export function renderHosts(podIp: string, hostname: string, aliases: string[] = []): string {
  const lines = [
    '# Kubernetes-managed hosts file.',
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::0\tip6-localnet',
    'fe00::0\tip6-mcastprefix',
    'fe00::1\tip6-allnodes',
    'fe00::2\tip6-allrouters',
  ];
  if (podIp) lines.push(`${podIp}\t${[...aliases, hostname].join('\t')}`);
  return lines.join('\n') + '\n';
}

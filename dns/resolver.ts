/**
 * Answers one question about the cluster domain from a ClusterStore, as CoreDNS's kubernetes
 * plugin does: `<svc>.<ns>.svc` (ClusterIP, or one A per ready endpoint when headless; CNAME for
 * ExternalName), `<host>.<svc>.<ns>.svc` (endpoint hostnames, StatefulSet pods), SRV
 * `_<port>._<proto>.<svc>.<ns>.svc`, `a-b-c-d.<ns>.pod`, PTR for ClusterIPs and pod IPs;
 * NXDOMAIN with the zone's SOA for unknown names, NOERROR/no data with SOA for a known name
 * asked for a type it lacks. Names outside the zone are not answered here (see server.ts).
 */
import type { Answer, Question } from 'dns-packet';
import type { Endpoints, Service } from '../lib/api/types.js';
import type { ClusterStore } from './cluster-store.js';

/** Record TTL (seconds), as CoreDNS's kubernetes plugin default. */
export const TTL = 5;

/** The outcome of one question. */
export interface Resolution {
  rcode: 'NOERROR' | 'NXDOMAIN';
  answers: Answer[];
  authorities: Answer[];
  additionals: Answer[];
}

/** Where a name falls relative to the cluster zone. */
export type Zone = 'cluster' | 'reverse' | 'outside';

/** Resolves names in the cluster domain (default cluster.local) and in in-addr.arpa. */
export class ClusterResolver {
  private readonly suffix: string;

  constructor(private readonly store: ClusterStore, readonly domain = 'cluster.local') {
    this.domain = domain.toLowerCase().replace(/\.$/, '');
    this.suffix = `.${this.domain}`;
  }

  /** Which zone a (lower-case, dot-less) name belongs to. */
  zoneOf(name: string): Zone {
    if (name === this.domain || name.endsWith(this.suffix)) return 'cluster';
    if (name.endsWith('.in-addr.arpa')) return 'reverse';
    return 'outside';
  }

  /** The zone's SOA record (authority section of negative answers). */
  soa(): Answer {
    return {
      name: this.domain, type: 'SOA', ttl: TTL,
      data: { mname: `ns.dns.${this.domain}`, rname: `hostmaster.${this.domain}`, serial: this.store.generation >>> 0, refresh: 7200, retry: 1800, expire: 86400, minimum: TTL },
    };
  }

  /** Answers question q (name already lower-cased, no trailing dot). */
  resolve(q: Question): Resolution {
    const name = q.name;
    const found = this.zoneOf(name) === 'reverse' ? this.reverse(name) : this.forward(name);
    if (!found) return { rcode: 'NXDOMAIN', answers: [], authorities: [this.soa()], additionals: [] };
    const any = (q.type as string) === 'ANY';
    const answers = found.filter((a) => a.type === q.type || any || a.type === 'CNAME');
    // An in-zone CNAME target is chased here (as CoreDNS does), a few hops at most.
    for (let hop = 0, last = answers[answers.length - 1]; hop < 8 && last?.type === 'CNAME' && q.type !== 'CNAME' && this.zoneOf(last.data) === 'cluster'; hop++) {
      const next = (this.forward(last.data) ?? []).filter((a) => a.type === q.type || any || a.type === 'CNAME');
      answers.push(...next);
      last = next[next.length - 1];
    }
    if (q.type === 'SOA' && name === this.domain) answers.push(this.soa());
    const additionals: Answer[] = [];
    if (q.type === 'SRV') for (const a of answers) if (a.type === 'SRV') additionals.push(...(this.forward(a.data.target) ?? []).filter((x) => x.type === 'A'));
    return { rcode: 'NOERROR', answers, authorities: answers.length ? [] : [this.soa()], additionals };
  }

  /** Every record owned by a forward name; undefined when the name does not exist. */
  private forward(name: string): Answer[] | undefined {
    if (name === this.domain) return [];
    const labels = name.slice(0, -this.suffix.length).split('.');
    const kind = labels[labels.length - 1];
    if (kind === 'svc') return this.service(name, labels.slice(0, -1));
    if (kind === 'pod' && labels.length === 3) {
      const ip = labels[0].replace(/-/g, '.');
      return isIPv4(ip) ? [{ name, type: 'A', ttl: TTL, data: ip }] : undefined;
    }
    // Existing intermediate names (`svc.cluster.local`, `<ns>.svc.cluster.local`) answer NOERROR with no data.
    if ((kind === 'svc' || kind === 'pod') && labels.length <= 2) return [];
    return undefined;
  }

  private service(name: string, labels: string[]): Answer[] | undefined {
    if (labels.length <= 1) return labels.length === 0 || this.namespaceExists(labels[0]) ? [] : undefined;
    const [ns, svcName] = [labels[labels.length - 1], labels[labels.length - 2]];
    const svc = this.store.services.get(`${ns}/${svcName}`);
    if (!svc) return undefined;
    const svcFqdn = `${svcName}.${ns}.svc.${this.domain}`;
    const rest = labels.slice(0, -2);
    if (rest.length === 0) return this.serviceRecords(name, svc, svcFqdn);
    if (rest.length === 2 && rest[0].startsWith('_') && rest[1].startsWith('_')) return this.srv(name, svc, svcFqdn, rest[0].slice(1), rest[1].slice(1));
    if (rest.length === 1 && isHeadless(svc)) {
      const host = rest[0];
      const ips = this.endpointAddresses(svc).filter((a) => a.host === host).map((a) => a.ip);
      return ips.length ? ips.map((ip) => ({ name, type: 'A' as const, ttl: TTL, data: ip })) : undefined;
    }
    return undefined;
  }

  private serviceRecords(name: string, svc: Service, svcFqdn: string): Answer[] {
    const spec = svc.spec ?? {};
    if (spec.type === 'ExternalName') return spec.externalName ? [{ name, type: 'CNAME', ttl: TTL, data: spec.externalName.replace(/\.$/, '') }] : [];
    const out: Answer[] = isHeadless(svc)
      ? this.endpointAddresses(svc).map((a) => ({ name, type: 'A' as const, ttl: TTL, data: a.ip }))
      : [{ name, type: 'A', ttl: TTL, data: spec.clusterIP! }];
    for (const p of spec.ports ?? []) {
      if (p.name) out.push(...this.srvRecords(name, svc, svcFqdn, p.name, (p.protocol ?? 'TCP').toLowerCase()));
    }
    return out;
  }

  private srv(name: string, svc: Service, svcFqdn: string, port: string, proto: string): Answer[] | undefined {
    const recs = this.srvRecords(name, svc, svcFqdn, port, proto);
    return recs.length ? recs : undefined;
  }

  private srvRecords(name: string, svc: Service, svcFqdn: string, portName: string, proto: string): Answer[] {
    const port = (svc.spec?.ports ?? []).find((p) => p.name === portName && (p.protocol ?? 'TCP').toLowerCase() === proto);
    if (!port) return [];
    if (!isHeadless(svc)) return [{ name, type: 'SRV', ttl: TTL, data: { priority: 0, weight: 100, port: port.port!, target: svcFqdn } }];
    // Headless: one SRV per ready endpoint, pointing at its own name, with the endpoint's port.
    const out: Answer[] = [];
    for (const a of this.endpointAddresses(svc)) {
      const epPort = a.ports.find((p) => p.name === portName && (p.protocol ?? 'TCP').toLowerCase() === proto);
      if (epPort?.port) out.push({ name, type: 'SRV', ttl: TTL, data: { priority: 0, weight: 100, port: epPort.port, target: `${a.host}.${svcFqdn}` } });
    }
    return out;
  }

  /** Ready endpoint addresses of a service with their DNS host label (hostname, or the dashed IP). */
  private endpointAddresses(svc: Service): { ip: string; host: string; ports: NonNullable<NonNullable<Endpoints['subsets']>[number]['ports']> }[] {
    const key = `${svc.metadata?.namespace}/${svc.metadata?.name}`;
    const ep = this.store.endpoints.get(key);
    const out: { ip: string; host: string; ports: NonNullable<NonNullable<Endpoints['subsets']>[number]['ports']> }[] = [];
    for (const s of ep?.subsets ?? []) {
      const addrs = [...(s.addresses ?? []), ...(svc.spec?.publishNotReadyAddresses ? s.notReadyAddresses ?? [] : [])];
      for (const a of addrs) if (a.ip) out.push({ ip: a.ip, host: (a.hostname || this.podHostname(a.ip, svc) || a.ip.replace(/\./g, '-')).toLowerCase(), ports: s.ports ?? [] });
    }
    return out;
  }

  /** A pod's spec.hostname when its spec.subdomain names this service (when Endpoints lack hostname). */
  private podHostname(ip: string, svc: Service): string | undefined {
    for (const key of this.store.podsByIP.get(ip) ?? []) {
      const pod = this.store.pods.get(key);
      if (pod?.metadata?.namespace === svc.metadata?.namespace && pod?.spec?.subdomain === svc.metadata?.name && pod?.spec?.hostname) return pod.spec.hostname;
    }
    return undefined;
  }

  private namespaceExists(ns: string): boolean {
    for (const key of this.store.services.keys()) if (key.startsWith(`${ns}/`)) return true;
    return false;
  }

  /** PTR records for `d.c.b.a.in-addr.arpa`: a ClusterIP's service name, or a pod IP's endpoint/pod name. */
  private reverse(name: string): Answer[] | undefined {
    const parts = name.slice(0, -'.in-addr.arpa'.length).split('.');
    if (parts.length !== 4) return undefined;
    const ip = parts.reverse().join('.');
    if (!isIPv4(ip)) return undefined;
    const ptr = (target: string): Answer[] => [{ name, type: 'PTR', ttl: TTL, data: target }];
    const svcKey = this.store.byClusterIP.get(ip);
    if (svcKey) { const [ns, n] = svcKey.split('/'); return ptr(`${n}.${ns}.svc.${this.domain}`); }
    const podKeys = this.store.podsByIP.get(ip);
    if (!podKeys?.size) return undefined;
    for (const key of podKeys) {
      const pod = this.store.pods.get(key);
      const ns = pod?.metadata?.namespace;
      const sub = pod?.spec?.subdomain;
      if (ns && sub && pod?.spec?.hostname && this.store.services.has(`${ns}/${sub}`)) return ptr(`${pod.spec.hostname}.${sub}.${ns}.svc.${this.domain}`);
    }
    const [ns] = [...podKeys][0].split('/');
    return ptr(`${ip.replace(/\./g, '-')}.${ns}.pod.${this.domain}`);
  }
}

function isHeadless(svc: Service): boolean { return !svc.spec?.clusterIP || svc.spec.clusterIP === 'None'; }

function isIPv4(s: string): boolean {
  const p = s.split('.');
  return p.length === 4 && p.every((x) => /^\d{1,3}$/.test(x) && Number(x) <= 255);
}

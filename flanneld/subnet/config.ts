/** flannel's network configuration (`<prefix>/config`), parsed and validated with flannel's defaults. */
import { ApiError } from '../../lib/errors.js';
import { formatCidr, maskOf, parseCidr, parseIp, type IPv4Net } from './cidr.js';

/** Backend section of the config; extra keys stay available to the backend. */
export interface BackendConfig {
  Type: string; Port?: number; VNI?: number;
  /** kubesim: userspace datapaths use TSO/GSO/GRO offloads unless false. */
  Offload?: boolean;
  /** kubesim: plain packets are forwarded by the addon's native thread unless false (then all in TypeScript). */
  FastPath?: boolean;
  /** kubesim: µs the fast path keeps busy-polling after a batch (default 0: sleep at once). */
  SpinMicros?: number;
  /** kubesim: the fast path's thread runs under SCHED_BATCH (default true). */
  SchedBatch?: boolean;
  /** vxlan: plain routes to nodes on the same segment (flannel's DirectRouting). */
  DirectRouting?: boolean;
  [key: string]: unknown;
}

/** The validated network config. */
export interface NetworkConfig {
  network: IPv4Net;
  subnetLen: number;
  /** First and last subnet base addresses that may be leased. */
  subnetMin: number;
  subnetMax: number;
  backend: BackendConfig;
}

function bad(field: string, value: unknown, why: string): ApiError {
  return new ApiError('Invalid', `network config: ${field}: Invalid value: ${JSON.stringify(value)}: ${why}`);
}

/** Parses the JSON stored at `<prefix>/config`; throws an Invalid ApiError naming the field. */
export function parseNetworkConfig(text: string): NetworkConfig {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(text) as Record<string, unknown>;
  } catch (err) {
    throw new ApiError('Invalid', `network config: not JSON: ${(err as Error).message}`);
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new ApiError('Invalid', 'network config: must be a JSON object');
  if (typeof raw.Network !== 'string') throw new ApiError('Invalid', 'network config: Network: Required value');
  const network = parseCidr(raw.Network, 'network config: Network');
  const subnetLen = raw.SubnetLen === undefined ? (network.prefixLen < 24 ? 24 : network.prefixLen + 1) : raw.SubnetLen;
  if (typeof subnetLen !== 'number' || !Number.isInteger(subnetLen) || subnetLen <= network.prefixLen || subnetLen > 30) {
    throw bad('SubnetLen', subnetLen, `must be an integer between ${network.prefixLen + 1} and 30`);
  }
  const step = 2 ** (32 - subnetLen);
  const last = (network.ip + (2 ** (32 - network.prefixLen)) - step) >>> 0;
  // flannel leaves the network's first subnet out by default (it holds the network address).
  const subnetMin = boundary(raw.SubnetMin, 'SubnetMin', (network.ip + step) >>> 0, network, subnetLen);
  const subnetMax = boundary(raw.SubnetMax, 'SubnetMax', last, network, subnetLen);
  if (subnetMin > subnetMax) throw bad('SubnetMin', raw.SubnetMin, 'must not be above SubnetMax');
  const backendRaw = raw.Backend ?? { Type: 'udp' };
  if (typeof backendRaw !== 'object' || backendRaw === null || Array.isArray(backendRaw)) throw bad('Backend', backendRaw, 'must be an object');
  const backend = { Type: 'udp', ...(backendRaw as Record<string, unknown>) } as BackendConfig;
  if (typeof backend.Type !== 'string') throw bad('Backend.Type', backend.Type, 'must be a string');
  if (backend.Port !== undefined && !(Number.isInteger(backend.Port) && backend.Port > 0 && backend.Port < 65536)) throw bad('Backend.Port', backend.Port, 'must be a UDP port');
  if (backend.VNI !== undefined && !(Number.isInteger(backend.VNI) && backend.VNI >= 0 && backend.VNI < 2 ** 24)) throw bad('Backend.VNI', backend.VNI, 'must be 0..16777215');
  if (backend.SpinMicros !== undefined && !(typeof backend.SpinMicros === 'number' && Number.isInteger(backend.SpinMicros) && backend.SpinMicros >= 0 && backend.SpinMicros <= 100_000)) {
    throw bad('Backend.SpinMicros', backend.SpinMicros, 'must be an integer 0..100000 (microseconds)');
  }
  if (backend.SchedBatch !== undefined && typeof backend.SchedBatch !== 'boolean') throw bad('Backend.SchedBatch', backend.SchedBatch, 'must be true or false');
  return { network, subnetLen, subnetMin, subnetMax, backend };
}

function boundary(v: unknown, field: string, dflt: number, net: IPv4Net, subnetLen: number): number {
  if (v === undefined) return dflt;
  const ip = typeof v === 'string' ? parseIp(v) : undefined;
  if (ip === undefined) throw bad(field, v, 'must be an IPv4 address');
  if (((ip & maskOf(net.prefixLen)) >>> 0) !== net.ip) throw bad(field, v, `must be inside ${formatCidr(net)}`);
  if (((ip & maskOf(subnetLen)) >>> 0) !== ip) throw bad(field, v, `must be a /${subnetLen} boundary`);
  return ip;
}

/** Every subnet base address the config allows, in order. */
export function allSubnets(cfg: NetworkConfig): number[] {
  const step = 2 ** (32 - cfg.subnetLen);
  const out: number[] = [];
  for (let ip = cfg.subnetMin; ip <= cfg.subnetMax; ip += step) out.push(ip >>> 0);
  return out;
}

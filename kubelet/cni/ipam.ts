/**
 * host-local style IP allocation: one file per allocated address in a data directory
 * (`<dataDir>/<network>/<ip>` holding the container id), created with O_EXCL so two
 * allocations never get the same address, also across processes and restarts.
 */
import { mkdirSync, openSync, writeSync, closeSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiError } from '../../lib/errors.js';
import { hostRange, intToIp, ipToInt } from './subnet-env.js';

/** Allocates pod IPs of one node subnet. */
export class HostLocalIpam {
  private readonly dir: string;
  constructor(dataDir: string, network: string, private readonly gateway: string, private readonly prefix: number) {
    this.dir = join(dataDir, network);
    mkdirSync(this.dir, { recursive: true });
  }

  /** The address held by this container, if any (makes ADD idempotent). */
  find(containerId: string): string | undefined {
    for (const name of this.allocated()) {
      if (this.owner(name) === containerId) return name;
    }
    return undefined;
  }

  /** Reserves a free address for the container (or returns the one it already holds). */
  allocate(containerId: string): string {
    const held = this.find(containerId);
    if (held) return held;
    const { first, last } = hostRange(this.gateway, this.prefix);
    const gw = ipToInt(this.gateway);
    const lastFile = join(this.dir, 'last_reserved_ip.0');
    let start = first;
    try { start = ipToInt(readFileSync(lastFile, 'utf8').trim()) + 1; } catch { /* first allocation */ }
    const span = last - first + 1;
    for (let i = 0; i < span; i++) {
      const n = first + ((start - first + i) % span + span) % span;
      if (n === gw) continue;
      const ip = intToIp(n);
      let fd: number;
      try { fd = openSync(join(this.dir, ip), 'wx'); } catch { continue; }
      writeSync(fd, `${containerId}\n`);
      closeSync(fd);
      writeFileSync(lastFile, ip);
      return ip;
    }
    throw new ApiError('Unavailable', `no free IP address left in ${intToIp(first)}-${intToIp(last)}`);
  }

  /** Frees every address held by the container; returns them. */
  release(containerId: string): string[] {
    const freed: string[] = [];
    for (const name of this.allocated()) {
      if (this.owner(name) === containerId) { rmSync(join(this.dir, name), { force: true }); freed.push(name); }
    }
    return freed;
  }

  /** All allocated addresses. */
  allocated(): string[] {
    return readdirSync(this.dir).filter((n) => /^\d+\.\d+\.\d+\.\d+$/.test(n));
  }

  private owner(ip: string): string | undefined {
    try { return readFileSync(join(this.dir, ip), 'utf8').split('\n')[0]; } catch { return undefined; }
  }
}

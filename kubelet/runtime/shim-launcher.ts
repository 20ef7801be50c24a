/**
 * Starts container shims. Perl shims are started one ahead ("standby"): the next container
 * hands its job to an already running, already loaded shim over stdin, so a container start
 * does not wait for an interpreter to boot. The JavaScript shim is spawned per container.
 */
import { spawn, type ChildProcess } from 'node:child_process';

/** Launches shims for one runtime. */
export class ShimLauncher {
  private standby?: ChildProcess;

  /** `shim` is the interpreter + script; `pooled` enables standby shims (Perl only). */
  constructor(private readonly shim: string[], readonly pooled: boolean) {
    if (pooled) this.standby = this.spawnStandby();
  }

  private spawnStandby(): ChildProcess {
    const child = spawn(this.shim[0], this.shim.slice(1), { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
    child.on('error', () => { if (this.standby === child) this.standby = undefined; });
    child.on('exit', () => { if (this.standby === child) this.standby = undefined; });
    child.unref();
    (child.stdin as unknown as { unref?: () => void }).unref?.();
    return child;
  }

  /** Starts a shim for one container; returns the shim's pid. */
  launch(logPath: string, stateDir: string, argv: string[], env: string[]): number | undefined {
    if (!this.pooled) {
      const envObj = Object.fromEntries(env.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
      const child = spawn(this.shim[0], [...this.shim.slice(1), logPath, stateDir, ...argv], { detached: true, stdio: 'ignore', env: envObj });
      child.unref();
      return child.pid;
    }
    const s = this.standby ?? this.spawnStandby();
    this.standby = undefined;
    s.stdin!.end([logPath, stateDir, String(env.length), ...env, ...argv].join('\0'));
    return s.pid;
  }

  /**
   * Starts the next standby shim; the caller does it once its container is up, so the new Perl's
   * start-up does not compete for the CPU with the container being started.
   */
  replenish(): void {
    if (this.pooled && !this.standby) this.standby = this.spawnStandby();
  }

  /** Ends the standby shim (it exits on EOF without a job). */
  close(): void {
    this.standby?.stdin?.end();
    this.standby = undefined;
  }
}

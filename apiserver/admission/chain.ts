/**
 * The ordered admission chain: every mutating plugin, then every validating plugin, each in
 * registration order (the order of `--enable-admission-plugins` in Kubernetes).
 */
import type { AdmissionAttributes, AdmissionPlugin } from './types.js';

/** Runs plugins in order; the first rejection (a thrown ApiError) stops the request. */
export class AdmissionChain {
  constructor(private readonly plugins: AdmissionPlugin[]) {}

  /** Names in run order (for logs and tests). */
  names(): string[] { return this.ordered().map((p) => p.name); }

  /** Runs the mutating plugins. */
  async mutate(attrs: AdmissionAttributes): Promise<void> {
    for (const p of this.plugins) if (p.type === 'mutating') await p.admit(attrs);
  }

  /** Runs the validating plugins. */
  async validate(attrs: AdmissionAttributes): Promise<void> {
    for (const p of this.plugins) if (p.type === 'validating') await p.admit(attrs);
  }

  /** Runs every plugin's after-write bookkeeping; failures are reported, never thrown. */
  async afterWrite(attrs: AdmissionAttributes, report: (plugin: string, err: unknown) => void = () => {}): Promise<void> {
    for (const p of this.plugins) {
      if (!p.afterWrite) continue;
      try { await p.afterWrite(attrs); } catch (err) { report(p.name, err); }
    }
  }

  private ordered(): AdmissionPlugin[] {
    return [...this.plugins.filter((p) => p.type === 'mutating'), ...this.plugins.filter((p) => p.type === 'validating')];
  }
}

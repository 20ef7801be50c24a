/** `kubesim trace <pod> <dest>`: prints the hop-by-hop path of a packet (see chaos/trace.ts). */
import { Command, Option } from 'commander';
import { loadContext } from '../chaos/context.js';
import { tracePath } from '../chaos/trace.js';

/** Adds the `trace` command to program. */
export function registerTrace(program: Command): void {
  program.command('trace <pod> <dest>').description('hop-by-hop path of a packet from a pod ([ns/]name or IP) to a pod or IP, as the kernel and flanneld say')
    .addOption(new Option('--name <name>', 'cluster name').default('kubesim'))
    .action(async (pod: string, dest: string, o) => {
      const hops = await tracePath(loadContext(o.name), pod, dest);
      hops.forEach((h, i) => console.log(`${String(i + 1).padStart(2)}. ${h.where}\n      ${h.detail}`));
    });
}

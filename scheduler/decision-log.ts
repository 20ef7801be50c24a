/**
 * The `--v=4` decision log, readable line by line: one summary line per pod, then one line per
 * node with each plugin's Filter verdict and each Score plugin's weighted score (normalized
 * score × weight), the view kube-scheduler-simulator gives.
 */
import type { Decision } from './framework/cycle.js';

/** One log line: message and fields. */
export interface LogLine { msg: string; fields: Record<string, unknown> }

/** The log lines of one decision. */
export function decisionLines(d: Decision): LogLine[] {
  const nodes = Object.keys(d.filter);
  const feasible = nodes.filter((n) => Object.values(d.filter[n]).every((v) => v === 'passed'));
  const lines: LogLine[] = [{ msg: 'scheduling decision', fields: { pod: d.pod, selected: d.selectedNode ?? '<none>', nodes: nodes.length, feasible: feasible.length } }];
  const rejected = Object.entries(d.preFilter).filter(([, v]) => v !== 'passed');
  if (rejected.length) lines.push({ msg: 'prefilter rejected pod', fields: { pod: d.pod, reasons: rejected.map(([p, v]) => `${p}: ${v}`).join('; ') } });
  for (const node of nodes) {
    const failed = Object.entries(d.filter[node]).filter(([, v]) => v !== 'passed');
    const fields: Record<string, unknown> = { pod: d.pod, node, filter: failed.length ? failed.map(([p, v]) => `${p}: ${v}`).join('; ') : 'passed' };
    const scores = d.score[node];
    if (scores) {
      fields.scores = Object.entries(scores).map(([p, s]) => `${p}=${s.weighted}`).join(',');
      fields.total = d.finalScore[node];
    }
    lines.push({ msg: 'node verdict', fields });
  }
  return lines;
}

/** The benchmark's table (printed) and results file (JSON). */
import { round } from './support/stats';

export interface Row {
  part: number;
  figure: string;
  unit: string;
  value: number;
  /** The same figure for the baseline, measured in the same run; null where there is none. */
  baseline: number | null;
  baselineName: string | null;
  /** value / baseline. */
  ratio: number | null;
  target: string | null;
  /** Whether the target is met; null without a target. */
  met: boolean | null;
}

export interface PartResult {
  part: number;
  name: string;
  seconds: number;
  rows: Row[];
  details: Record<string, unknown>;
  error?: string;
  /** When the part was run (bench/results.json may hold parts of several runs: BENCH_UPDATE). */
  runAt?: string;
}

export function row(
  part: number,
  figure: string,
  unit: string,
  value: number,
  baseline: number | null,
  baselineName: string | null,
  target?: { text: string; met: boolean },
): Row {
  return {
    part,
    figure,
    unit,
    value: round(value, 3),
    baseline: baseline === null ? null : round(baseline, 3),
    baselineName,
    ratio: baseline ? round(value / baseline, 3) : null,
    target: target?.text ?? null,
    met: target ? target.met : null,
  };
}

function cell(value: number | null, unit: string): string {
  if (value === null || !Number.isFinite(value)) return '–';
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return `${value.toFixed(digits)}${unit ? ` ${unit}` : ''}`;
}

export function table(parts: PartResult[]): string {
  const header = ['#', 'figure', 'measured', 'baseline', 'ratio', 'target', 'met'];
  const lines: string[][] = [header];
  for (const part of parts) {
    if (part.error) lines.push([String(part.part), `${part.name}: FAILED (${part.error.split('\n')[0]})`, '', '', '', '', '']);
    for (const r of part.rows) {
      lines.push([
        String(r.part),
        r.figure,
        cell(r.value, r.unit),
        r.baseline === null ? '–' : `${cell(r.baseline, r.unit)} (${r.baselineName})`,
        r.ratio === null ? '–' : r.ratio.toFixed(2),
        r.target ?? '',
        r.met === null ? '' : r.met ? 'yes' : 'NO',
      ]);
    }
  }
  const widths = header.map((_, i) => Math.max(...lines.map((l) => l[i]!.length)));
  const format = (l: string[]) =>
    l
      .map((c, i) => c.padEnd(widths[i]!))
      .join(' | ')
      .trimEnd();
  return [format(lines[0]!), widths.map((w) => '-'.repeat(w)).join('-|-'), ...lines.slice(1).map(format)].join('\n');
}

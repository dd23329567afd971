/**
 * Global setup of `npm run e2e`: gives the files a directory for their figures, and prints the
 * summary table when the suite ends.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIGURES, type Figures } from './support/results';

const LABELS: Record<keyof Figures, string> = {
  onboardings: 'onboardings run',
  offboardings: 'offboardings run',
  crashes: 'crashes injected',
  lost: 'onboardings lost',
  duplicateSideEffects: 'duplicate side effects',
  badInputs: 'bad inputs tried',
  serverErrors: '500s',
};

export default function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'invite-lite-e2e-results-'));
  process.env.E2E_RESULTS_DIR = dir;
  return () => {
    const file = join(dir, 'figures.jsonl');
    const rows = existsSync(file)
      ? readFileSync(file, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as { part: string; figures: Partial<Figures>; note: string })
      : [];
    const total = (key: keyof Figures) => rows.reduce((sum, r) => sum + (r.figures[key] ?? 0), 0);
    const header = ['part', ...FIGURES.map((k) => LABELS[k])];
    const table = [header, ...rows.map((r) => [r.part, ...FIGURES.map((k) => String(r.figures[k] ?? '–'))]), ['total', ...FIGURES.map((k) => String(total(k)))]];
    const widths = header.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
    const line = (row: string[]) => `| ${row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join(' | ')} |`;
    const out = [
      '',
      'invite-lite end-to-end summary',
      line(table[0]!),
      `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
      ...table.slice(1).map(line),
      ...rows.filter((r) => r.note).map((r) => `${r.part}: ${r.note}`),
      '',
    ];
    process.stdout.write(`${out.join('\n')}\n`);
    rmSync(dir, { recursive: true, force: true });
  };
}

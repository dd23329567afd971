/** Durations written for people ("90s", "15m", "24h", "5d") turned into milliseconds. */

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/;

export const DURATION_EXPECTED = 'a duration such as "90s", "15m", "24h", "5d" or a whole number of milliseconds';

/** Milliseconds for a duration string, or null when the text is not one. */
export function parseDuration(text: string): number | null {
  const match = DURATION.exec(text.trim());
  if (!match) return null;
  const [, amount, unit] = match;
  return Math.round(Number(amount) * UNIT_MS[unit as string]!);
}

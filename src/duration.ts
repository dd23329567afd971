/** Durations written for people ("90s", "15m", "24h", "5d") turned into milliseconds. */
import ms, { type StringValue } from 'ms';

/**
 * The forms accepted: a non-negative amount and one of ms, s, m, h, d. `ms` alone would also take
 * bare numbers, negative amounts, weeks, years and spelled-out units, which are refused here.
 */
const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/;

export const DURATION_EXPECTED = 'a duration such as "90s", "15m", "24h", "5d" or a whole number of milliseconds';

/** Milliseconds for a duration string, or null when the text is not one. */
export function parseDuration(text: string): number | null {
  const match = DURATION.exec(text.trim());
  if (!match) return null;
  const [, amount, unit] = match;
  return Math.round(ms(`${amount}${unit}` as StringValue));
}

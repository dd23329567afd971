/** Helpers for answering a view submission within Slack's 3 seconds. */
import { firstInputBlockId, type BlocksOf } from './payload';

/** How long a submission's checks may take before it is answered anyway. */
export const ACK_BUDGET_MS = 2_500;

/** The value, or null when it takes longer than the budget. */
export async function withinAckTime<T>(work: Promise<T>, budgetMs = ACK_BUDGET_MS): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), budgetMs)));
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `response_action: 'errors'`, each error on its block. A key that is not a block of the view (or
 * the bare name of a field whose block id carries a suffix) is matched by prefix, else shown on
 * the first input.
 */
export function errorsOnBlocks(view: BlocksOf, errors: Record<string, string>) {
  const ids = view.blocks.filter((b) => b.type === 'input' && b.block_id).map((b) => b.block_id!);
  const placed: Record<string, string> = {};
  for (const [key, text] of Object.entries(errors)) {
    const id = ids.includes(key) ? key : (ids.find((b) => b.startsWith(`${key}:`)) ?? firstInputBlockId(view) ?? key);
    placed[id] = placed[id] ? `${placed[id]} ${text}` : text;
  }
  for (const id of Object.keys(placed)) placed[id] = placed[id]!.slice(0, 2000);
  return { response_action: 'errors' as const, errors: placed };
}

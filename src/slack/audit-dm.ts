/**
 * The managers' audit export in Slack (docs/design.md §15.4): `/onboarding-status export [from to]`
 * collects the records open in the period (src/audit-export.ts), as CSV, and uploads them as a
 * file into a direct message with the manager, with Slack's upload API: files.getUploadURLExternal,
 * the bytes POSTed to the URL it returns, then files.completeUploadExternal into the DM. The file's
 * content is never logged.
 */
import type { WebClient } from '@slack/web-api';
import { collectAudit, type ExportPeriod, formatAudit } from '../audit-export';
import type { SlackDeps } from './deps';

/** The period without dates: the last 90 days. */
export const DEFAULT_EXPORT_DAYS = 90;
const DAY_MS = 86_400_000;

export const EXPORT_USAGE =
  'Expected `/onboarding-status export` (the last 90 days) or `/onboarding-status export YYYY-MM-DD YYYY-MM-DD` (from, to: both days included, the first not after the second), e.g. `/onboarding-status export 2026-01-01 2026-03-31`. Nothing was exported.';

/** The day `text` names (YYYY-MM-DD, a real date), as ms since the epoch at 00:00 UTC; null otherwise. */
function dayOf(text: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return null;
  const ms = Date.parse(`${text}T00:00:00.000Z`);
  return Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== text ? null : ms;
}

/** The period the words after `export` name (both days included), or null when they name none. */
export function exportPeriod(words: string[], now = Date.now()): ExportPeriod | null {
  if (words.length === 0) return { from: new Date(now - DEFAULT_EXPORT_DAYS * DAY_MS).toISOString(), to: new Date(now).toISOString() };
  if (words.length !== 2) return null;
  const [from, to] = words.map(dayOf);
  if (from == null || to == null || from > to) return null;
  return { from: new Date(from).toISOString(), to: new Date(to + DAY_MS).toISOString() };
}

/** "2026-01-01 to 2026-03-31" (the last day included). */
export function periodText(period: ExportPeriod): string {
  const lastDay = new Date(Date.parse(period.to) - 1).toISOString().slice(0, 10);
  return `${period.from.slice(0, 10)} to ${lastDay}`;
}

/** Uploads `bytes` as a file into `channel`, the way Slack asks: an upload URL, the bytes, then the completion. */
export async function uploadFile(client: WebClient, file: { channel: string; filename: string; title: string; bytes: Buffer; comment?: string }): Promise<string> {
  const { upload_url: url, file_id: id } = await client.files.getUploadURLExternal({ filename: file.filename, length: file.bytes.length });
  if (!url || !id) throw new Error('files.getUploadURLExternal answered no upload URL');
  const posted = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/octet-stream' }, body: new Uint8Array(file.bytes) });
  if (posted.status !== 200) throw new Error(`the upload of ${file.filename} was refused (HTTP ${posted.status})`);
  await client.files.completeUploadExternal({
    files: [{ id, title: file.title }],
    channel_id: file.channel,
    ...(file.comment ? { initial_comment: file.comment } : {}),
  });
  return id;
}

/**
 * Collects the records of the period and sends them, as a CSV file, to `user` in a direct message.
 * Returns what to tell them (mrkdwn).
 */
export async function exportToDm(deps: SlackDeps, user: string, period: ExportPeriod): Promise<string> {
  const { records, unreadable } = await collectAudit(deps.temporal, deps.taskQueue, period);
  const bytes = Buffer.from(formatAudit(records, 'csv'), 'utf8');
  const dm = await deps.client.conversations.open({ users: user });
  const channel = dm.channel?.id;
  if (!channel) throw new Error('conversations.open answered no channel');
  const days = periodText(period);
  const skipped = unreadable.length ? ` ${unreadable.length} could not be read (stopped from outside, or not answering) and are left out.` : '';
  const fileId = await uploadFile(deps.client, {
    channel,
    filename: `invite-lite-audit-${days.replace(' to ', '_')}.csv`,
    title: `invite-lite audit export, ${days}`,
    bytes,
    comment: `The audit export for ${days}: ${records.length} record${records.length === 1 ? '' : 's'}, times in UTC.${skipped}`,
  });
  deps.log('slack.auditExported', { by: user, from: period.from, to: period.to, records: records.length, unreadable: unreadable.length, bytes: bytes.length, fileId });
  return `The audit export for ${days} (${records.length} record${records.length === 1 ? '' : 's'}) is in your direct messages with the app.${skipped}`;
}

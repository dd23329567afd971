/**
 * Opening a modal within the trigger_id's 3 seconds when its content needs IT Glue: if the content
 * is ready quickly it is opened as is; otherwise a "loading" view is opened at once and updated
 * when the content is ready (or with what went wrong).
 */
import type { ModalView } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import type { Log } from '../log';
import { correlationId, errorText } from './errors';
import { noticeModal } from './views/invite-modal';

export interface OpenModalInput {
  client: WebClient;
  triggerId: string;
  title: string;
  build: () => Promise<ModalView>;
  log: Log;
  /** How long the content may take before the loading view is shown instead (default 1 s). */
  quickMs?: number;
}

type Outcome = { view: ModalView } | { error: unknown };

export async function openModal({ client, triggerId, title, build, log, quickMs = 1_000 }: OpenModalInput): Promise<void> {
  const building: Promise<Outcome> = build().then(
    (view) => ({ view }),
    (error: unknown) => ({ error }),
  );
  let timer: NodeJS.Timeout | undefined;
  const quick = await Promise.race([building, new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), quickMs)))]);
  clearTimeout(timer);

  const failed = (error: unknown) => {
    const id = correlationId();
    log('slack.modalFailed', { correlationId: id, title, error: error instanceof Error ? error.message : String(error) });
    return noticeModal(title, errorText(id));
  };

  if (quick) {
    await client.views.open({ trigger_id: triggerId, view: 'view' in quick ? quick.view : failed(quick.error) });
    return;
  }
  const opened = await client.views.open({ trigger_id: triggerId, view: noticeModal(title, ':hourglass_flowing_sand: Loading from IT Glue…') });
  const outcome = await building;
  const view = 'view' in outcome ? outcome.view : failed(outcome.error);
  try {
    await client.views.update({ view_id: opened.view!.id!, hash: opened.view!.hash, view });
  } catch (error) {
    // Closed in the meantime (not_found) or changed by the person (hash_conflict): nothing to do.
    log('slack.modalUpdateSkipped', { title, error: error instanceof Error ? error.message : String(error) });
  }
}

/** What the Slack listeners work with. */
import type { Client } from '@temporalio/client';
import type { WebClient } from '@slack/web-api';
import type { Log } from '../log';
import type { Policy } from '../../workflows/policy';
import type { SlackConfig } from '../config/slack';
import type { Roles } from './authorization';
import type { RecentKeys } from './dedupe';
import type { SlackDirectory } from './directory';
import type { Permalinks } from './permalinks';

export interface SlackDeps {
  config: SlackConfig;
  temporal: Client;
  taskQueue: string;
  policy: Policy;
  /** IT Glue reads for the modals; null when IT Glue is not configured. */
  directory: SlackDirectory | null;
  log: Log;
  roles: Roles;
  permalinks: Permalinks;
  /** Repeated requests: retried commands (by trigger_id), double clicks, double submissions. */
  recent: RecentKeys;
  /** A modal-opening button pressed again within this time by the same person opens one modal. */
  doubleClickMs: number;
  /** The app's own Web API client (the listeners also get one per request). */
  client: WebClient;
  /** An onboarding's page in the Temporal UI (TEMPORAL_UI_URL); null when none is configured. */
  workflowPage: ((workflowId: string) => string) | null;
}

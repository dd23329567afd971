/**
 * Requests into the Slack app as Slack sends them — real HTTP with Slack's signature — for an app
 * at any URL (in the test process or the service's own process), and reads of what the app posted
 * in the fake Slack.
 */
import { createHmac } from 'node:crypto';
import { ROOT_EVENT_TYPE } from '../../activities/slack';
import type { FakeSlack, FakeSlackMessage } from '../fakes/slack-api';

export const TEAM = 'T0FAKE001';

export interface PostOptions {
  contentType?: string;
  /** Seconds since the epoch (default now). */
  timestamp?: number;
  secret?: string;
  signature?: string;
}

export interface ModalState {
  id: string;
  callback_id: string;
  private_metadata: string;
  blocks: unknown[];
  hash?: string;
}

export interface SlackDriver {
  /** A signed POST to /slack/events. */
  post(body: string, options?: PostOptions): Promise<Response>;
  /** A slash command as Slack sends it; returns the HTTP answer, its time, and the trigger and response URL sent. */
  command(
    command: string,
    user: string,
    text?: string,
    extra?: { triggerId?: string; responseUrl?: string; retry?: boolean },
  ): Promise<{ response: Response; ms: number; triggerId: string; responseUrl: string; body: string }>;
  /** A `payload=` interaction (block_actions, view_submission, block_suggestion). */
  interact(payload: Record<string, unknown>): Promise<Response>;
  /** Presses a button of an onboarding's thread root (the message as it is in the fake Slack). */
  press(actionId: string, workflowId: string, user: string): Promise<{ response: Response; triggerId: string; responseUrl: string }>;
  /** A block_actions from an input of a modal (a dispatch action). */
  modalAction(view: ModalState, blockId: string, action: Record<string, unknown>, user: string, values: Record<string, unknown>): Promise<Response>;
  /** Submits a modal with these input values (`state.values`); returns the HTTP status and the JSON answer (null when empty). */
  submit(view: ModalState, user: string, values: Record<string, unknown>): Promise<{ status: number; answer: Record<string, unknown> | null }>;
  /** An external select's option request. */
  suggest(actionId: string, value: string, user: string, view?: ModalState): Promise<{ status: number; options: Array<{ text: { text: string }; value: string }> }>;
  appHomeOpened(user: string): Promise<Response>;
  /** The onboarding's thread root in the fake Slack, when posted. */
  root(workflowId: string): FakeSlackMessage | undefined;
  /** The replies of the onboarding's thread, oldest first. */
  replies(workflowId: string): FakeSlackMessage[];
}

export function sign(body: string, timestamp: number, secret: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

/** A slash command's form body, as Slack sends it. */
export function slashCommandBody(c: { command: string; user: string; text?: string; triggerId: string; responseUrl: string }): string {
  return new URLSearchParams({
    token: 'legacy-verification-token',
    team_id: TEAM,
    team_domain: 'fake-team',
    channel_id: 'C0GENERAL1',
    channel_name: 'general',
    user_id: c.user,
    user_name: c.user.toLowerCase(),
    command: c.command,
    text: c.text ?? '',
    api_app_id: 'A0FAKE001',
    is_enterprise_install: 'false',
    response_url: c.responseUrl,
    trigger_id: c.triggerId,
  }).toString();
}

let viewCounter = 0;

export interface SlackDriverOptions {
  /** The app's request URL, e.g. http://127.0.0.1:3000/slack/events. */
  url: string;
  /** The signing secret the app verifies. */
  secret: string;
  slack: FakeSlack;
  /** The onboardings' channel. */
  channel: string;
}

export function slackDriver({ url, secret, slack, channel }: SlackDriverOptions): SlackDriver {
  const post: SlackDriver['post'] = (body, o = {}) => {
    const timestamp = o.timestamp ?? Math.floor(Date.now() / 1000);
    return fetch(url, {
      method: 'POST',
      headers: {
        'Content-Type': o.contentType ?? 'application/x-www-form-urlencoded',
        'X-Slack-Request-Timestamp': String(timestamp),
        'X-Slack-Signature': o.signature ?? sign(body, timestamp, o.secret ?? secret),
      },
      body,
    });
  };
  const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
  const interact = (payload: Record<string, unknown>) => post(form({ payload: JSON.stringify(payload) }));
  const userOf = (id: string) => ({ id, username: id.toLowerCase(), name: id.toLowerCase(), team_id: TEAM });
  const rootOf = (workflowId: string) =>
    slack.messages(channel).find((m) => !m.threadTs && m.metadata?.event_type === ROOT_EVENT_TYPE && m.metadata.event_payload.workflowId === workflowId);

  /** The value of the root's button with this action ID, as a person pressing it sends it; the drawing's value for a button it does not show. */
  const buttonValue = (blocks: unknown, actionId: string, workflowId: string): string => {
    type Button = { action_id?: string; value?: string };
    // Buttons in actions blocks, and a section's accessory button (Remove access).
    const buttons = ((blocks ?? []) as Array<{ type: string; elements?: Button[]; accessory?: Button }>).flatMap((b) =>
      b.type === 'actions' ? (b.elements ?? []) : b.type === 'section' && b.accessory?.action_id ? [b.accessory] : [],
    );
    return (buttons.find((e) => e.action_id === actionId) ?? buttons[0])?.value ?? workflowId;
  };

  return {
    post,
    interact,
    async command(command, user, text = '', extra = {}) {
      const triggerId = extra.triggerId ?? slack.issueTriggerId();
      const responseUrl = extra.responseUrl ?? slack.responseUrl();
      const body = slashCommandBody({ command, user, text, triggerId, responseUrl });
      const at = Date.now();
      const response = await post(body);
      const ms = Date.now() - at;
      return { response, ms, triggerId, responseUrl, body: await response.text() };
    },
    async press(actionId, workflowId, user) {
      const root = rootOf(workflowId);
      if (!root) throw new Error(`no thread root for ${workflowId}`);
      const triggerId = slack.issueTriggerId();
      const responseUrl = slack.responseUrl();
      const response = await interact({
        type: 'block_actions',
        user: userOf(user),
        api_app_id: 'A0FAKE001',
        token: 'legacy-verification-token',
        container: { type: 'message', message_ts: root.ts, channel_id: channel, is_ephemeral: false },
        trigger_id: triggerId,
        team: { id: TEAM, domain: 'fake-team' },
        enterprise: null,
        is_enterprise_install: false,
        channel: { id: channel, name: 'onboarding' },
        message: { type: 'message', user: slack.botUserId, ts: root.ts, text: root.text, blocks: root.blocks },
        response_url: responseUrl,
        actions: [
          {
            action_id: actionId,
            block_id: 'onboarding_actions',
            text: { type: 'plain_text', text: actionId },
            value: buttonValue(root.blocks, actionId, workflowId),
            type: 'button',
            action_ts: `${Date.now() / 1000}`,
          },
        ],
      });
      return { response, triggerId, responseUrl };
    },
    modalAction(view, blockId, action, user, values) {
      return interact({
        type: 'block_actions',
        user: userOf(user),
        api_app_id: 'A0FAKE001',
        token: 'legacy-verification-token',
        container: { type: 'view', view_id: view.id },
        trigger_id: slack.issueTriggerId(),
        team: { id: TEAM, domain: 'fake-team' },
        view: { ...view, type: 'modal', hash: view.hash ?? 'h', state: { values } },
        actions: [{ block_id: blockId, action_ts: `${Date.now() / 1000}`, ...action }],
      });
    },
    async submit(view, user, values) {
      const response = await interact({
        type: 'view_submission',
        team: { id: TEAM, domain: 'fake-team' },
        user: userOf(user),
        api_app_id: 'A0FAKE001',
        token: 'legacy-verification-token',
        trigger_id: slack.issueTriggerId(),
        view: { ...view, type: 'modal', hash: view.hash ?? 'h', state: { values } },
        response_urls: [],
        is_enterprise_install: false,
      });
      const text = await response.text();
      return { status: response.status, answer: text ? (JSON.parse(text) as Record<string, unknown>) : null };
    },
    async suggest(actionId, value, user, view) {
      const response = await interact({
        type: 'block_suggestion',
        user: userOf(user),
        container: view ? { type: 'view', view_id: view.id } : { type: 'view', view_id: `V${++viewCounter}` },
        api_app_id: 'A0FAKE001',
        token: 'legacy-verification-token',
        action_id: actionId,
        block_id: 'org',
        value,
        team: { id: TEAM, domain: 'fake-team' },
        ...(view ? { view: { ...view, type: 'modal', state: { values: {} } } } : {}),
      });
      const text = await response.text();
      return { status: response.status, options: text ? ((JSON.parse(text) as { options?: [] }).options ?? []) : [] };
    },
    appHomeOpened(user) {
      const body = JSON.stringify({
        token: 'legacy-verification-token',
        team_id: TEAM,
        api_app_id: 'A0FAKE001',
        event: { type: 'app_home_opened', user, channel: `D${user.slice(1)}`, tab: 'home', event_ts: `${Date.now() / 1000}` },
        type: 'event_callback',
        event_id: `Ev${Date.now()}${++viewCounter}`,
        event_time: Math.floor(Date.now() / 1000),
        authorizations: [{ team_id: TEAM, user_id: slack.botUserId, is_bot: true }],
      });
      return post(body, { contentType: 'application/json' });
    },
    root: rootOf,
    replies(workflowId) {
      const root = rootOf(workflowId);
      return root ? slack.messages(channel).filter((m) => m.threadTs === root.ts && m.ts !== root.ts) : [];
    },
  };
}

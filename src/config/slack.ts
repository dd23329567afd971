/** Slack's variables (docs/design.md §12): the bot, its channel, and who may start and approve onboardings. */
import { z } from 'zod';
import { parseDuration } from '../duration';
import { text, tokenApiUrl, type Fail } from './env';

export interface SlackConfig {
  botToken: string;
  /** Unset in Socket Mode. */
  signingSecret: string | null;
  /** Set: Socket Mode. */
  appToken: string | null;
  apiUrl: string;
  channelId: string;
  techUsergroupId: string | null;
  techUserIds: string[];
  managerUsergroupId: string | null;
  managerUserIds: string[];
  /** SLACK_GROUP_CACHE_MAX: how long after the last successful read a user group's members are trusted (default 15 minutes). */
  groupCacheMaxMs?: number;
}

function idList(pattern: RegExp, expected: string) {
  return z
    .string()
    .transform((value) => value.split(',').map((id) => id.trim()))
    .refine((ids) => ids.every((id) => pattern.test(id)), expected);
}

const SLACK_USER_ID = /^[UW][A-Z0-9]{2,}$/;
const SLACK_USERGROUP_ID = /^S[A-Z0-9]{2,}$/;

/** SLACK_GROUP_CACHE_MAX: a duration from 1 minute to 24 hours. */
const GROUP_CACHE_MAX_EXPECTED = 'expected a duration from 1m to 24h such as "15m" or "1h"';
const groupCacheMax = z.string().transform((value, ctx) => {
  const ms = parseDuration(value);
  if (ms !== null && ms >= 60_000 && ms <= 86_400_000) return ms;
  ctx.addIssue({ code: 'custom', message: GROUP_CACHE_MAX_EXPECTED });
  return z.NEVER;
});

export const slackEnv = {
  SLACK_BOT_TOKEN: text.regex(/^xoxb-\S+$/, 'expected a Slack bot token starting with xoxb-').optional(),
  SLACK_SIGNING_SECRET: text.regex(/^\S+$/, "expected the app's signing secret, without spaces").optional(),
  SLACK_APP_TOKEN: text.regex(/^xapp-\S+$/, 'expected a Slack app-level token starting with xapp-').optional(),
  SLACK_API_URL: tokenApiUrl('https://slack.com/api/').default('https://slack.com/api/'),
  SLACK_CHANNEL_ID: text.regex(/^[CG][A-Z0-9]{2,}$/, 'expected a Slack channel ID such as C0123ABCD').optional(),
  SLACK_TECH_USERGROUP_ID: text.regex(SLACK_USERGROUP_ID, 'expected a Slack user group ID such as S0123ABCD').optional(),
  SLACK_TECH_USER_IDS: idList(SLACK_USER_ID, 'expected comma-separated Slack user IDs such as U0123ABCD,W0456EFGH').optional(),
  SLACK_MANAGER_USERGROUP_ID: text.regex(SLACK_USERGROUP_ID, 'expected a Slack user group ID such as S0123ABCD').optional(),
  SLACK_MANAGER_USER_IDS: idList(SLACK_USER_ID, 'expected comma-separated Slack user IDs such as U0123ABCD,W0456EFGH').optional(),
  SLACK_GROUP_CACHE_MAX: groupCacheMax.default(15 * 60_000),
};

type SlackEnv = z.output<z.ZodObject<typeof slackEnv>>;

/** The rules between Slack's variables (and the IT Glue key a real Slack needs). */
export function checkSlackEnv(env: SlackEnv & { ITGLUE_API_KEY?: string }, fail: Fail): void {
  if (env.SLACK_BOT_TOKEN) {
    if (!env.SLACK_SIGNING_SECRET && !env.SLACK_APP_TOKEN) {
      fail('SLACK_SIGNING_SECRET', "required with SLACK_BOT_TOKEN (the app's signing secret), unless SLACK_APP_TOKEN selects Socket Mode");
    }
    if (!env.SLACK_CHANNEL_ID) {
      fail('SLACK_CHANNEL_ID', 'required with SLACK_BOT_TOKEN: the ID of the channel for onboarding threads, such as C0123ABCD');
    }
    if (!env.SLACK_TECH_USERGROUP_ID && !env.SLACK_TECH_USER_IDS) {
      fail(
        'SLACK_TECH_USERGROUP_ID',
        'one is required with SLACK_BOT_TOKEN: who may start onboardings (a user group ID, or user IDs such as U0123ABCD,W0456EFGH)',
        'SLACK_TECH_USERGROUP_ID / SLACK_TECH_USER_IDS',
      );
    }
    if (!env.ITGLUE_API_KEY) {
      fail('ITGLUE_API_KEY', 'required with SLACK_BOT_TOKEN: the IT Glue API key (without it IT Glue is only simulated, which is for trying the service without Slack)');
    }
  } else {
    for (const variable of ['SLACK_SIGNING_SECRET', 'SLACK_APP_TOKEN', 'SLACK_CHANNEL_ID'] as const) {
      if (env[variable]) fail('SLACK_BOT_TOKEN', `required when ${variable} is set: a Slack bot token starting with xoxb-`);
    }
  }
}

/** Null: Slack is not configured. */
export function slackConfig(env: SlackEnv): SlackConfig | null {
  if (!env.SLACK_BOT_TOKEN) return null;
  return {
    botToken: env.SLACK_BOT_TOKEN,
    signingSecret: env.SLACK_SIGNING_SECRET ?? null,
    appToken: env.SLACK_APP_TOKEN ?? null,
    apiUrl: env.SLACK_API_URL.endsWith('/') ? env.SLACK_API_URL : `${env.SLACK_API_URL}/`,
    channelId: env.SLACK_CHANNEL_ID!,
    techUsergroupId: env.SLACK_TECH_USERGROUP_ID ?? null,
    techUserIds: env.SLACK_TECH_USER_IDS ?? [],
    managerUsergroupId: env.SLACK_MANAGER_USERGROUP_ID ?? null,
    managerUserIds: env.SLACK_MANAGER_USER_IDS ?? [],
    groupCacheMaxMs: env.SLACK_GROUP_CACHE_MAX,
  };
}

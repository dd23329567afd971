/**
 * The baseline of the slash-command benchmark: a bare Bolt app (HTTP receiver with Slack's
 * signature check, as the service's; its Web API client on the fake Slack) whose /invite-lite only
 * acknowledges. Run as a child process by bench/run.ts; prints a `bench.ready` JSON line with its
 * port.
 */
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';

const signingSecret = process.env.BENCH_SIGNING_SECRET;
const slackApiUrl = process.env.BENCH_SLACK_API_URL;
if (!signingSecret || !slackApiUrl) throw new Error('BENCH_SIGNING_SECRET and BENCH_SLACK_API_URL are required');

const receiver = new HTTPReceiver({ signingSecret, endpoints: '/slack/events', signatureVerification: true, logLevel: LogLevel.ERROR });
// Bolt's defaults: the bot token is checked once (auth.test) when the app is made. With
// BENCH_BOLT_TOKEN_VERIFICATION=false, as the service's app is set up, Bolt 5 calls auth.test again
// for every request instead, before the listener runs.
const tokenVerificationEnabled = process.env.BENCH_BOLT_TOKEN_VERIFICATION !== 'false';
const app = new App({ token: process.env.BENCH_SLACK_BOT_TOKEN, receiver, tokenVerificationEnabled, logLevel: LogLevel.ERROR, clientOptions: { slackApiUrl } });
app.command('/invite-lite', async ({ ack }) => {
  await ack();
});

const server = await app.start({ port: 0, host: '127.0.0.1' });
process.stdout.write(`${JSON.stringify({ event: 'bench.ready', pid: process.pid, port: (server.address() as AddressInfo).port })}\n`);
process.on('SIGTERM', () => {
  void app.stop().finally(() => process.exit(0));
});

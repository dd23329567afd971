/**
 * The baseline of the slash-command benchmark: a bare Bolt app (HTTP receiver with Slack's
 * signature check, as the service's; its Web API client on the fake Slack) whose /invite-lite
 * acknowledges and then opens a static modal: the view in BENCH_MODAL_FILE, a copy of the invite
 * modal the service opened (same blocks, same bytes), read once at start. What every app with a
 * modal pays. Run as a child process by bench/parts/ack.ts; prints a `bench.ready` JSON line with
 * its port.
 */
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';
import type { ModalView } from '@slack/types';

const signingSecret = process.env.BENCH_SIGNING_SECRET;
const slackApiUrl = process.env.BENCH_SLACK_API_URL;
const modalFile = process.env.BENCH_MODAL_FILE;
if (!signingSecret || !slackApiUrl || !modalFile) throw new Error('BENCH_SIGNING_SECRET, BENCH_SLACK_API_URL and BENCH_MODAL_FILE are required');
const view = JSON.parse(readFileSync(modalFile, 'utf8')) as ModalView;

const receiver = new HTTPReceiver({ signingSecret, endpoints: '/slack/events', signatureVerification: true, logLevel: LogLevel.ERROR });
// Bolt's defaults: the bot token is checked once (auth.test) when the app is made. With
// BENCH_BOLT_TOKEN_VERIFICATION=false Bolt 5 calls auth.test again for every request instead,
// before the listener runs.
const tokenVerificationEnabled = process.env.BENCH_BOLT_TOKEN_VERIFICATION !== 'false';
const app = new App({ token: process.env.BENCH_SLACK_BOT_TOKEN, receiver, tokenVerificationEnabled, logLevel: LogLevel.ERROR, clientOptions: { slackApiUrl } });
app.command('/invite-lite', async ({ ack, client, command }) => {
  await ack();
  await client.views.open({ trigger_id: command.trigger_id, view });
});

const server = await app.start({ port: 0, host: '127.0.0.1' });
process.stdout.write(`${JSON.stringify({ event: 'bench.ready', pid: process.pid, port: (server.address() as AddressInfo).port })}\n`);
process.on('SIGTERM', () => {
  void app.stop().finally(() => process.exit(0));
});

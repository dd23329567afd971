/**
 * The approval pages (docs/design.md §6), safe against link scanners that open every link in a mail:
 *
 * - `GET|HEAD /approvals/<token>` only shows the request (read through the `status` query), with
 *   Approve and Deny buttons; it changes nothing.
 * - `POST /approvals/<token>` with the form's CSRF value sends the `decide` update, whose validator
 *   has the last word, then redirects (303) to the result page.
 * - `GET|HEAD /approvals/<token>/result` shows the recorded decision.
 *
 * Links that cannot decide get a page that says why: 404 not valid, 409 already answered, 410
 * expired, replaced by a newer link, or no longer waiting; 403 for a form that cannot be
 * verified, 503 while Temporal cannot be reached. The pages never send mail or call IT Glue.
 *
 * Every request first takes a token from its client's bucket (rate-limit.ts): a burst of guesses
 * gets 429 with `Retry-After` before its token is even checked. A POST whose client goes away
 * before the whole form arrived ends quietly: there is nobody left to answer.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { Log } from '../log';
import { DECISION_REFUSED } from '../../workflows/messages';
import type { Policy } from '../../workflows/policy';
import type { Decision, DecisionInput, OnboardingStatus, Process } from '../../workflows/types';
import { oneLine } from '../../workflows/text';
import { decideApproval, getStatus } from '../onboardings';
import { approvalState, refusedState, statusCodeOf, type ApprovalState } from './approval-state';
import { verifyApprovalToken, type ApprovalClaims } from './approval-token';
import { badRequestView, COMMENT_MAX, csrfView, invalidLinkView, requestView, resultView, stateView, tooManyRequestsView, unavailableView } from './approval-views';
import { clientIp, trustedProxies } from './client-ip';
import { csrfCookie, csrfFormValue, csrfNonce, isCsrfValid, newCsrfNonce } from './csrf';
import { BodyAbortedError, BodyTooLargeError, NotAFormError, readForm } from './form-body';
import { redirect, sendPage } from './page';
import { APPROVAL_RATE_LIMIT, clientKey, RateLimiter, type RateLimitOptions } from './rate-limit';
import type { RouteContext, Routes } from './router';

export interface ApprovalPagesOptions {
  client: Client;
  /** APPROVAL_SECRET: verifies tokens and signs the form's CSRF value. */
  secret: string;
  /** APPROVAL_SECRET_PREVIOUS: also verifies tokens, while the links signed with it are still out. */
  previousSecret?: string | null;
  /** The MSP's name and support contact on the pages. */
  branding: Policy['branding'];
  /** TRUST_PROXY: proxies whose X-Forwarded-For names the client. */
  trustProxy: readonly string[];
  /** Mark the CSRF cookie Secure (the public address is https). */
  secureCookies: boolean;
  log: Log;
  /** How long a page waits for Temporal before it says "try again later" (default 10 s). */
  temporalTimeoutMs?: number;
  /** Requests per client (default APPROVAL_RATE_LIMIT). */
  rateLimit?: RateLimitOptions;
}

const FORM_LIMIT_BYTES = 16 * 1024;
const USER_AGENT_MAX = 512;

/** Temporal could not answer: the page says "try again later". */
class UnavailableError extends Error {
  override readonly name = 'UnavailableError';
}

export function approvalRoutes(options: ApprovalPagesOptions): Routes {
  const { client, secret, branding, secureCookies, log } = options;
  const verifying = options.previousSecret ? [secret, options.previousSecret] : [secret];
  const now = Date.now;
  const proxies = trustedProxies(options.trustProxy);
  const timeoutMs = options.temporalTimeoutMs ?? 10_000;
  const withinTimeout = <T>(call: () => Promise<T>) => client.withDeadline(Date.now() + timeoutMs, call);
  const limiter = new RateLimiter(options.rateLimit ?? APPROVAL_RATE_LIMIT);

  /** Lets the request through if its client has a token left; otherwise answers 429. */
  const limited =
    (handler: (context: RouteContext) => Promise<void>) =>
    async (context: RouteContext): Promise<void> => {
      const { req, res } = context;
      const who = clientKey(clientIp(req, proxies));
      const admission = limiter.take(who);
      if (admission.ok) return handler(context);
      if (admission.first) log('approval.rateLimited', { client: who, retryAfterSeconds: admission.retryAfterSeconds });
      // A POST's body is not read: its connection is closed after the answer.
      sendPage(res, 429, tooManyRequestsView(branding), {
        head: req.method === 'HEAD',
        headers: { 'Retry-After': String(admission.retryAfterSeconds), ...(req.method === 'POST' ? { Connection: 'close' } : {}) },
      });
    };

  async function readStatus(workflowId: string): Promise<OnboardingStatus | null> {
    try {
      return await withinTimeout(() => getStatus(client, workflowId));
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return null;
      throw new UnavailableError(error instanceof Error ? error.message : String(error));
    }
  }

  /** Runs a handler; a Temporal outage becomes a 503 page. */
  const guarded = (handler: (context: RouteContext, claims: ApprovalClaims, expired: boolean) => Promise<void>) => async (context: RouteContext) => {
    const { req, res, params } = context;
    const head = req.method === 'HEAD';
    const check = verifyApprovalToken(verifying, params.token ?? '', now());
    if (!check.ok) {
      log('approval.invalidLink', { method: req.method });
      return sendPage(res, 404, invalidLinkView(branding), { head });
    }
    try {
      await handler(context, check.claims, check.expired);
    } catch (error) {
      if (!(error instanceof UnavailableError)) throw error;
      log('approval.unavailable', { workflowId: check.claims.workflowId, error: error.message });
      if (!res.headersSent) sendPage(res, 503, unavailableView(branding), { head, headers: { 'Retry-After': '60' } });
    }
  };

  /** `process`: an offboarding's pages word the removal. */
  function sendState(req: IncomingMessage, res: ServerResponse, state: Exclude<ApprovalState, { kind: 'open' }>, process?: Process) {
    sendPage(res, statusCodeOf(state), stateView(branding, state, process), { head: req.method === 'HEAD' });
  }

  const show = guarded(async ({ req, res, params }, claims) => {
    const token = params.token!;
    const status = await readStatus(claims.workflowId);
    const state = approvalState(status, claims, now());
    if (state.kind !== 'open') return sendState(req, res, state, status?.process);
    const nonce = csrfNonce(req) ?? newCsrfNonce();
    sendPage(res, 200, requestView(branding, state.status, claims.expiresAt, csrfFormValue(secret, nonce, token)), {
      head: req.method === 'HEAD',
      headers: { 'Set-Cookie': csrfCookie(nonce, secureCookies) },
    });
  });

  const decide = guarded(async ({ req, res, params }, claims, expired) => {
    const token = params.token!;
    let form: URLSearchParams;
    try {
      form = await readForm(req, FORM_LIMIT_BYTES);
    } catch (error) {
      if (error instanceof BodyAbortedError) return;
      if (error instanceof BodyTooLargeError) return sendPage(res, 413, badRequestView(branding, token), { headers: { Connection: 'close' } });
      if (error instanceof NotAFormError) return sendPage(res, 400, badRequestView(branding, token));
      throw error;
    }
    const crossSite = req.headers['sec-fetch-site'] === 'cross-site';
    if (crossSite || !isCsrfValid(secret, csrfNonce(req), form.get('csrf'), token)) {
      log('approval.csrfRefused', { workflowId: claims.workflowId, round: claims.round, crossSite });
      return sendPage(res, 403, csrfView(branding, token));
    }
    const decision = form.get('decision');
    if (decision !== 'approve' && decision !== 'deny') return sendPage(res, 400, badRequestView(branding, token));
    if (expired) {
      const status = await readStatus(claims.workflowId);
      const state = approvalState(status, claims, now());
      return sendState(req, res, state.kind === 'open' ? { kind: 'expired', at: claims.expiresAt } : state, status?.process);
    }

    const input: DecisionInput = {
      decision: decision satisfies Decision,
      round: claims.round,
      approverContactId: claims.approverContactId,
      expiresAt: claims.expiresAt,
      ...optional('ip', clientIp(req, proxies)),
      ...optional('userAgent', (req.headers['user-agent'] ?? '').slice(0, USER_AGENT_MAX)),
      // One line: line breaks and other control characters become spaces.
      ...optional(
        'comment',
        oneLine(form.get('comment') ?? '')
          .trim()
          .slice(0, COMMENT_MAX),
      ),
    };
    try {
      await withinTimeout(() => decideApproval(client, claims.workflowId, input));
    } catch (error) {
      let refused: ApprovalState | null;
      let type: string | undefined;
      if (error instanceof WorkflowUpdateFailedError) {
        type = (error.cause as { type?: string } | undefined)?.type;
        refused = refusedState(type, claims);
        if (!refused) return sendPage(res, 400, badRequestView(branding, token));
      } else if (error instanceof WorkflowNotFoundError) {
        // The workflow has finished: it no longer takes updates.
        type = DECISION_REFUSED.notAwaiting;
        refused = { kind: 'not-waiting' };
      } else {
        throw new UnavailableError(error instanceof Error ? error.message : String(error));
      }
      log('approval.refused', { workflowId: claims.workflowId, round: claims.round, refusal: type });
      // The status tells the most (e.g. what was decided); the refusal stands when the status says "open".
      const status = await readStatus(claims.workflowId);
      const state = approvalState(status, claims, now());
      return sendState(req, res, state.kind === 'open' ? (refused as Exclude<ApprovalState, { kind: 'open' }>) : state, status?.process);
    }
    log('approval.decided', { workflowId: claims.workflowId, round: claims.round, decision });
    redirect(res, `${token}/result`);
  });

  const result = guarded(async ({ req, res, params }, claims) => {
    const status = await readStatus(claims.workflowId);
    const state = approvalState(status, claims, now());
    if (state.kind === 'decided' && state.byThisLink) {
      return sendPage(res, 200, resultView(branding, state.evidence, status?.process), { head: req.method === 'HEAD' });
    }
    if (state.kind === 'open') return redirect(res, `../${params.token!}`);
    sendState(req, res, state, status?.process);
  });

  return [
    {
      methods: ['GET', 'HEAD', 'POST'],
      path: /^\/approvals\/(?<token>[^/]+)$/,
      handle: limited((context) => (context.req.method === 'POST' ? decide(context) : show(context))),
    },
    { methods: ['GET', 'HEAD'], path: /^\/approvals\/(?<token>[^/]+)\/result$/, handle: limited(result) },
  ];
}

/** `{ [key]: value }` for a non-empty value, else nothing (the update's optional fields stay unset). */
function optional<K extends string>(key: K, value: string | null): { [P in K]?: string } {
  return value ? ({ [key]: value } as { [P in K]?: string }) : {};
}

/**
 * The approval pages (docs/design.md §6), safe against link scanners that open every link in a mail:
 *
 * - `GET|HEAD /approvals/<token>` only shows the request (read through the `status` query), with
 *   Approve and Deny buttons; it changes nothing.
 * - `POST /approvals/<token>` with the form's CSRF value sends the `decide` update, whose validator
 *   has the last word, then redirects (303) to the result page.
 * - `GET|HEAD /approvals/<token>/result` shows the recorded decision.
 *
 * An access review's link (docs/design.md §15.2) shows the organization's users, each with Keep /
 * Remove; its POST sends the choices of all of them in one `decide` (a user left without one shows
 * the page again, with the choices made, and sends nothing). A later review of the organization is a
 * new run of the same workflow ID, with another request: the earlier links are refused as replaced.
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
import { type Decision, type DecisionInput, type OnboardingStatus, type Process, reviewIdFor } from '../../workflows/types';
import type { ReviewAnswer } from '../../workflows/review/record';
import { oneLine } from '../../workflows/text';
import { decideApproval, getStatus } from '../onboardings';
import { approvalState, refusedState, statusCodeOf, type ApprovalState } from './approval-state';
import { verifyApprovalToken, type ApprovalClaims } from './approval-token';
import { badRequestView, COMMENT_MAX, csrfView, invalidLinkView, requestView, resultView, stateView, tooManyRequestsView, unavailableView } from './approval-views';
import { clientIp, trustedProxies } from './client-ip';
import { csrfCookie, csrfFormValue, csrfNonce, isCsrfValid, newCsrfNonce } from './csrf';
import { BodyAbortedError, BodyTooLargeError, NotAFormError, readForm } from './form-body';
import { redirect, sendPage } from './page';
import { reviewAnswers } from './review-answers';
import { missingChoices, reviewRequestView, reviewResultView, reviewStateView } from './review-views';
import { APPROVAL_RATE_LIMIT, clientKey, RateLimiter, type RateLimitOptions } from './rate-limit';
import type { RouteContext, Routes } from './router';
import { batchPages } from './batch-pages';

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
/** An access review's form carries a choice per user. */
const REVIEW_FORM_LIMIT_BYTES = 64 * 1024;
/** The workflow found the review's answer incomplete after all. */
const REVIEW_REFUSED = 'Your answer could not be recorded: choose Keep or Remove for every user below, and send it again.';
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
  // A batch's link (docs/design.md §15.3) has its own page: one decision per person.
  const batch = batchPages(options);

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
    const view = process === 'review' ? reviewStateView(branding, state) : stateView(branding, state, process);
    sendPage(res, statusCodeOf(state), view, { head: req.method === 'HEAD' });
  }

  const show = guarded(async ({ req, res, params }, claims) => {
    const token = params.token!;
    const status = await readStatus(claims.workflowId);
    const state = approvalState(status, claims, now());
    if (state.kind !== 'open') return sendState(req, res, state, status?.process);
    const nonce = csrfNonce(req) ?? newCsrfNonce();
    const csrf = csrfFormValue(secret, nonce, token);
    const view = state.status.process === 'review' ? reviewRequestView : requestView;
    sendPage(res, 200, view(branding, state.status, claims.expiresAt, csrf), {
      head: req.method === 'HEAD',
      headers: { 'Set-Cookie': csrfCookie(nonce, secureCookies) },
    });
  });

  const decide = guarded(async ({ req, res, params }, claims, expired) => {
    const token = params.token!;
    const reviewing = isReviewLink(claims);
    let form: URLSearchParams;
    try {
      form = await readForm(req, reviewing ? REVIEW_FORM_LIMIT_BYTES : FORM_LIMIT_BYTES);
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
    if (reviewing) return answerReview(req, res, token, claims, form);
    const decision = form.get('decision');
    if (decision !== 'approve' && decision !== 'deny') return sendPage(res, 400, badRequestView(branding, token));
    if (expired) {
      const status = await readStatus(claims.workflowId);
      const state = approvalState(status, claims, now());
      return sendState(req, res, state.kind === 'open' ? { kind: 'expired', at: claims.expiresAt } : state, status?.process);
    }
    const input: DecisionInput = { decision: decision satisfies Decision, ...requestOf(claims), ...evidenceOf(req, form) };
    await submit(req, res, token, claims, input, () => sendPage(res, 400, badRequestView(branding, token)));
  });

  /**
   * An access review's answer (docs/design.md §15.2): Keep or Remove for each of its users, read
   * for the review's users only, in one `decide`. A user left without a choice shows the page again
   * with the choices made, and nothing is sent.
   */
  async function answerReview(req: IncomingMessage, res: ServerResponse, token: string, claims: ApprovalClaims, form: URLSearchParams): Promise<void> {
    const status = await readStatus(claims.workflowId);
    const state = approvalState(status, claims, now());
    if (state.kind !== 'open') return sendState(req, res, state, 'review');
    const { answers, missing } = reviewAnswers(form, state.status.review?.users ?? []);
    const evidence = evidenceOf(req, form);
    const again = (problem: string) => {
      const csrf = csrfFormValue(secret, csrfNonce(req)!, token);
      sendPage(res, 400, reviewRequestView(branding, state.status, claims.expiresAt, csrf, { answers, comment: evidence.comment ?? '', problem }));
    };
    if (missing.length > 0) {
      log('approval.incomplete', { workflowId: claims.workflowId, round: claims.round, missing: missing.length });
      return again(missingChoices(missing));
    }
    const input: DecisionInput = { decision: 'approve', answers, ...requestOf(claims), ...evidence };
    await submit(req, res, token, claims, input, () => again(REVIEW_REFUSED));
  }

  /**
   * Sends the decision through the `decide` update, whose validator has the last word, and redirects
   * to the result page; a refusal gets the page that says why, an invalid decision `invalid`'s page.
   */
  async function submit(req: IncomingMessage, res: ServerResponse, token: string, claims: ApprovalClaims, input: DecisionInput, invalid: () => void): Promise<void> {
    try {
      await withinTimeout(() => decideApproval(client, claims.workflowId, input));
    } catch (error) {
      let refused: ApprovalState | null;
      let type: string | undefined;
      if (error instanceof WorkflowUpdateFailedError) {
        type = (error.cause as { type?: string } | undefined)?.type;
        refused = refusedState(type, claims);
        if (!refused) return invalid();
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
      const shown = state.kind === 'open' ? (refused as Exclude<ApprovalState, { kind: 'open' }>) : state;
      return sendState(req, res, shown, status?.process ?? (isReviewLink(claims) ? 'review' : undefined));
    }
    const counts = input.answers ? { kept: countOf(input.answers, 'keep'), removed: countOf(input.answers, 'remove') } : {};
    log('approval.decided', { workflowId: claims.workflowId, round: claims.round, decision: input.decision, ...counts });
    redirect(res, `${token}/result`);
  }

  /** What a decision carries besides itself: the client's address and browser, and the comment. */
  function evidenceOf(req: IncomingMessage, form: URLSearchParams): Pick<DecisionInput, 'ip' | 'userAgent' | 'comment'> {
    return {
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
  }

  const result = guarded(async ({ req, res, params }, claims) => {
    const status = await readStatus(claims.workflowId);
    const state = approvalState(status, claims, now());
    if (state.kind === 'decided' && state.byThisLink) {
      const view = status?.process === 'review' ? reviewResultView(branding, state.evidence, status) : resultView(branding, state.evidence, status?.process);
      return sendPage(res, 200, view, { head: req.method === 'HEAD' });
    }
    if (state.kind === 'open') return redirect(res, `../${params.token!}`);
    sendState(req, res, state, status?.process);
  });

  return [
    {
      methods: ['GET', 'HEAD', 'POST'],
      path: /^\/approvals\/(?<token>[^/]+)$/,
      handle: limited((context) => batch.take(context, 'request') ?? (context.req.method === 'POST' ? decide(context) : show(context))),
    },
    { methods: ['GET', 'HEAD'], path: /^\/approvals\/(?<token>[^/]+)\/result$/, handle: limited((context) => batch.take(context, 'result') ?? result(context)) },
  ];
}

/** `{ [key]: value }` for a non-empty value, else nothing (the update's optional fields stay unset). */
function optional<K extends string>(key: K, value: string | null): { [P in K]?: string } {
  return value ? ({ [key]: value } as { [P in K]?: string }) : {};
}

/** An access review's link: its workflow ID is `access-review:<orgId>`. */
const isReviewLink = (claims: ApprovalClaims) => claims.workflowId.startsWith(reviewIdFor(''));

const countOf = (answers: Record<string, ReviewAnswer>, answer: ReviewAnswer) => Object.values(answers).filter((a) => a === answer).length;

/** The request the link answers: its round, approver and expiry. */
function requestOf(claims: ApprovalClaims): Pick<DecisionInput, 'round' | 'approverContactId' | 'expiresAt'> {
  return { round: claims.round, approverContactId: claims.approverContactId, expiresAt: claims.expiresAt };
}

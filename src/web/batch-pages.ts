/**
 * The approval page of a batch (docs/design.md §15.3): a link whose token names an
 * `approval-batch:…` workflow, signed and checked like any approval link (approval-token.ts).
 *
 * - `GET|HEAD` shows each person still waiting, read from the batch's and the members' `status`
 *   queries; it changes nothing.
 * - `POST`, with its CSRF value, sends each waiting member's `decide` Update with that member's
 *   current round and approver, the IP, browser and the one comment; a person left without a choice
 *   gets the page again (400), naming them, and nothing is sent. The answer lists each person's
 *   outcome, with the workflow's reason for a refusal.
 * - `GET|HEAD …/result` goes back to the page, which shows where each person stands.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Client, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { type ApprovalBatchStatus, isApprovalBatchId } from '../../workflows/approval-batch';
import type { Policy } from '../../workflows/policy';
import { oneLine } from '../../workflows/text';
import type { DecisionInput } from '../../workflows/types';
import { getBatchStatus } from '../approval-batches';
import type { Log } from '../log';
import { decideApproval, getStatus } from '../onboardings';
import { approvalState } from './approval-state';
import { type ApprovalClaims, verifyApprovalToken } from './approval-token';
import { badRequestView, COMMENT_MAX, csrfView, invalidLinkView, stateView, unavailableView } from './approval-views';
import { type BatchEntry, type BatchOutcome, batchRequestView, batchResultView, decisionField } from './batch-views';
import { clientIp, trustedProxies } from './client-ip';
import { csrfCookie, csrfFormValue, csrfNonce, isCsrfValid, newCsrfNonce } from './csrf';
import { BodyAbortedError, BodyTooLargeError, NotAFormError, readForm } from './form-body';
import { redirect, sendPage } from './page';
import type { RouteContext } from './router';

export interface BatchPagesOptions {
  client: Client;
  secret: string;
  previousSecret?: string | null;
  branding: Policy['branding'];
  trustProxy: readonly string[];
  secureCookies: boolean;
  log: Log;
  temporalTimeoutMs?: number;
}

const FORM_LIMIT_BYTES = 16 * 1024;
const USER_AGENT_MAX = 512;

class UnavailableError extends Error {
  override readonly name = 'UnavailableError';
}

export interface BatchPages {
  /** Answers the request when its token is a valid batch link; null for any other link. */
  take(context: RouteContext, page: 'request' | 'result'): Promise<void> | null;
}

export function batchPages(options: BatchPagesOptions): BatchPages {
  const { client, secret, branding, secureCookies, log } = options;
  const verifying = options.previousSecret ? [secret, options.previousSecret] : [secret];
  const proxies = trustedProxies(options.trustProxy);
  const timeoutMs = options.temporalTimeoutMs ?? 10_000;
  const within = <T>(call: () => Promise<T>) => client.withDeadline(Date.now() + timeoutMs, call);

  /** The batch and each member, read now; null when the batch does not exist. */
  async function read(claims: ApprovalClaims): Promise<{ batch: ApprovalBatchStatus; entries: BatchEntry[] } | null> {
    let batch: ApprovalBatchStatus;
    try {
      batch = await within(() => getBatchStatus(client, claims.workflowId));
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return null;
      throw new UnavailableError(error instanceof Error ? error.message : String(error));
    }
    const now = Date.now();
    const entries = await Promise.all(
      batch.members.map(async (m): Promise<BatchEntry> => {
        let status = null;
        try {
          status = await within(() => getStatus(client, m.workflowId));
        } catch (error) {
          if (!(error instanceof WorkflowNotFoundError)) throw new UnavailableError(error instanceof Error ? error.message : String(error));
        }
        const memberClaims = { workflowId: m.workflowId, round: m.round, approverContactId: batch.approverContactId, expiresAt: Date.parse(m.expiresAt) };
        return { workflowId: m.workflowId, name: m.invitee.name, email: m.invitee.email, status, state: approvalState(status, memberClaims, now) };
      }),
    );
    return { batch, entries };
  }

  /** The link belongs to this batch: its approver, and a mail the batch has sent. */
  const fits = (batch: ApprovalBatchStatus, claims: ApprovalClaims) => claims.approverContactId === batch.approverContactId && claims.round <= batch.round;

  async function show(req: IncomingMessage, res: ServerResponse, token: string, claims: ApprovalClaims, expired: boolean): Promise<void> {
    const head = req.method === 'HEAD';
    if (expired) return sendPage(res, 410, stateView(branding, { kind: 'expired', at: claims.expiresAt }), { head });
    const found = await read(claims);
    if (!found || !fits(found.batch, claims))
      return sendPage(res, found ? 404 : 410, found ? invalidLinkView(branding) : stateView(branding, { kind: 'not-waiting' }), { head });
    const nonce = csrfNonce(req) ?? newCsrfNonce();
    const view = batchRequestView(branding, {
      org: found.batch.org?.name ?? '',
      entries: found.entries,
      expiresAt: claims.expiresAt,
      csrf: csrfFormValue(secret, nonce, token),
    });
    sendPage(res, 200, view, { head, headers: { 'Set-Cookie': csrfCookie(nonce, secureCookies) } });
  }

  async function decide(req: IncomingMessage, res: ServerResponse, token: string, claims: ApprovalClaims, expired: boolean): Promise<void> {
    let form: URLSearchParams;
    try {
      form = await readForm(req, FORM_LIMIT_BYTES);
    } catch (error) {
      if (error instanceof BodyAbortedError) return;
      if (error instanceof BodyTooLargeError) return sendPage(res, 413, badRequestView(branding, token), { headers: { Connection: 'close' } });
      if (error instanceof NotAFormError) return sendPage(res, 400, badRequestView(branding, token));
      throw error;
    }
    const nonce = csrfNonce(req);
    const crossSite = req.headers['sec-fetch-site'] === 'cross-site';
    if (crossSite || !isCsrfValid(secret, nonce, form.get('csrf'), token)) {
      log('approval.csrfRefused', { workflowId: claims.workflowId, round: claims.round, crossSite });
      return sendPage(res, 403, csrfView(branding, token));
    }
    if (expired) return sendPage(res, 410, stateView(branding, { kind: 'expired', at: claims.expiresAt }));
    const found = await read(claims);
    if (!found || !fits(found.batch, claims)) return sendPage(res, found ? 404 : 410, found ? invalidLinkView(branding) : stateView(branding, { kind: 'not-waiting' }));
    const comment = oneLine(form.get('comment') ?? '')
      .trim()
      .slice(0, COMMENT_MAX);
    const chosen: Record<string, string> = {};
    for (const e of found.entries) {
      const value = form.get(decisionField(e));
      if (value === 'approve' || value === 'deny') chosen[e.workflowId] = value;
    }
    const open = found.entries.filter((e) => e.state.kind === 'open');
    const missing = open.filter((e) => !chosen[e.workflowId]);
    if (missing.length > 0) {
      const view = batchRequestView(branding, {
        org: found.batch.org?.name ?? '',
        entries: found.entries,
        expiresAt: claims.expiresAt,
        csrf: csrfFormValue(secret, nonce!, token),
        chosen,
        missing: missing.map((e) => e.name),
        comment,
      });
      return sendPage(res, 400, view);
    }
    const ip = clientIp(req, proxies);
    const userAgent = (req.headers['user-agent'] ?? '').slice(0, USER_AGENT_MAX);
    const outcomes = await Promise.all(
      found.entries.map(async (entry): Promise<BatchOutcome> => {
        const s = entry.status;
        if (entry.state.kind !== 'open' || !s?.approver) return { entry, kind: 'not-sent' };
        const decision = chosen[entry.workflowId] as 'approve' | 'deny';
        const input: DecisionInput = {
          decision,
          round: s.approvalRound,
          approverContactId: s.approver.contactId,
          ...(s.approvalExpiresAt ? { expiresAt: Date.parse(s.approvalExpiresAt) } : {}),
          ...(ip ? { ip } : {}),
          ...(userAgent ? { userAgent } : {}),
          ...(comment ? { comment } : {}),
        };
        try {
          await within(() => decideApproval(client, entry.workflowId, input));
          return { entry, kind: 'decided', decision };
        } catch (error) {
          if (error instanceof WorkflowUpdateFailedError) return { entry, kind: 'refused', reason: error.cause?.message ?? 'the request was refused.' };
          if (error instanceof WorkflowNotFoundError) return { entry, kind: 'refused', reason: 'This onboarding is not waiting for an approval.' };
          return { entry, kind: 'refused', reason: 'the approval service could not be reached: open the link again in a few minutes to see whether it was recorded.' };
        }
      }),
    );
    log('approval.batchDecided', {
      workflowId: claims.workflowId,
      decided: outcomes.filter((o) => o.kind === 'decided').length,
      refused: outcomes.filter((o) => o.kind === 'refused').length,
    });
    sendPage(res, 200, batchResultView(branding, outcomes, comment || null));
  }

  return {
    take(context, page) {
      const { req, res, params } = context;
      const token = params.token ?? '';
      const check = verifyApprovalToken(verifying, token, Date.now());
      if (!check.ok || !isApprovalBatchId(check.claims.workflowId)) return null;
      const { claims, expired } = check;
      const head = req.method === 'HEAD';
      const run = async () => {
        try {
          if (page === 'result') return redirect(res, `../${token}`);
          if (req.method === 'POST') return await decide(req, res, token, claims, expired);
          return await show(req, res, token, claims, expired);
        } catch (error) {
          if (!(error instanceof UnavailableError)) throw error;
          log('approval.unavailable', { workflowId: claims.workflowId, error: error.message });
          if (!res.headersSent) sendPage(res, 503, unavailableView(branding), { head, headers: { 'Retry-After': '60' } });
        }
      };
      return run();
    },
  };
}

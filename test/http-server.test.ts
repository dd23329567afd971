/** The HTTP server and its router, with the health route over a Temporal check that the test controls. */
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { jsonLog } from '../src/log';
import { html } from '../src/html';
import { loggablePath, redactApprovalTokens } from '../src/web/redact';
import { healthRoutes } from '../src/web/health';
import { sendPage } from '../src/web/page';
import { sendJson } from '../src/web/router';
import { startHttpServer, type HttpServer } from '../src/web/server';

let reachable = true;
let http: HttpServer;
let base: string;
const logged: string[] = [];

beforeAll(async () => {
  http = await startHttpServer({
    port: 0,
    host: '127.0.0.1',
    log: (event) => logged.push(event),
    routes: [
      ...healthRoutes({ temporalReachable: async () => reachable }),
      {
        methods: ['GET'],
        path: /^\/things\/(?<id>[^/]+)$/,
        handle: ({ res, params }) => sendJson(res, 200, { id: params.id }),
      },
      {
        methods: ['GET', 'HEAD', 'POST'],
        path: /^\/approvals\/(?<token>[^/]+)$/,
        handle: ({ res, params }) => {
          if (params.token === 'broken') throw new Error('boom');
          sendPage(res, 200, { title: 'A page', brand: 'Acme IT', body: html`<h1>A page</h1>` });
        },
      },
      {
        methods: ['GET'],
        path: /^\/broken$/,
        handle: () => {
          throw new Error('boom');
        },
      },
    ],
  });
  base = `http://127.0.0.1:${http.port}`;
});

afterAll(async () => {
  await http.close();
});

it('answers /healthz with 200 while Temporal answers, 503 when it does not', async () => {
  reachable = true;
  let response = await fetch(`${base}/healthz`);
  expect(response.status).toBe(200);
  expect(response.headers.get('cache-control')).toBe('no-store');
  expect(await response.json()).toEqual({ ok: true, temporal: 'reachable' });

  reachable = false;
  response = await fetch(`${base}/healthz`);
  expect(response.status).toBe(503);
  expect(await response.json()).toEqual({ ok: false, temporal: 'unreachable' });

  reachable = true;
  response = await fetch(`${base}/healthz`, { method: 'HEAD' });
  expect(response.status).toBe(200);
  expect(await response.text()).toBe('');
});

it('routes by path and method: params, 404, 405 and 500 without details', async () => {
  expect(await (await fetch(`${base}/things/42`)).json()).toEqual({ id: '42' });
  expect((await fetch(`${base}/nothing-here`)).status).toBe(404);
  expect((await fetch(`${base}/things/42/more`)).status).toBe(404);

  const post = await fetch(`${base}/healthz`, { method: 'POST' });
  expect(post.status).toBe(405);
  expect(post.headers.get('allow')).toBe('GET, HEAD');

  const broken = await fetch(`${base}/broken`);
  expect(broken.status).toBe(500);
  expect(await broken.json()).toEqual({ error: 'internal error' });
  expect(logged).toContain('http.error');
});

it('sends the page headers with every answer under /approvals/, refusals and errors included', async () => {
  const PAGE_HEADERS = ['cache-control', 'referrer-policy', 'x-frame-options', 'x-content-type-options', 'x-robots-tag', 'content-security-policy'];
  const page = await fetch(`${base}/approvals/x`);
  expect(page.status).toBe(200);
  const expected = Object.fromEntries(PAGE_HEADERS.map((name) => [name, page.headers.get(name)]));
  expect(expected).toMatchObject({ 'cache-control': 'no-store', 'referrer-policy': 'no-referrer', 'x-frame-options': 'DENY' });
  expect(expected['content-security-policy']).toMatch(/^default-src 'none'; .*frame-ancestors 'none'/);

  const answers = [
    [await fetch(`${base}/approvals/x`, { method: 'PUT' }), 405],
    [await fetch(`${base}/approvals/x`, { method: 'DELETE' }), 405],
    [await fetch(`${base}/approvals/x/y/z`), 404],
    [await fetch(`${base}/approvals/`), 404],
    [await fetch(`${base}/approvals`), 404],
    [await fetch(`${base}/approvals/broken`), 500],
  ] as const;
  for (const [answer, status] of answers) {
    expect(answer.status, answer.url).toBe(status);
    expect(Object.fromEntries(PAGE_HEADERS.map((name) => [name, answer.headers.get(name)])), answer.url).toEqual(expected);
  }
  expect(answers[0][0].headers.get('allow')).toBe('GET, HEAD, POST');

  // Elsewhere, an answer is no page.
  const elsewhere = await fetch(`${base}/nothing-here`);
  expect(elsewhere.status).toBe(404);
  expect(elsewhere.headers.get('referrer-policy')).toBeNull();
  expect(elsewhere.headers.get('content-security-policy')).toBeNull();
});

it('never writes an approval token to the log: error lines name the path with the token redacted, and the JSON log redacts any line', async () => {
  const token = 'eyJ3b3JrZmxvd0lkIjoib25ib2FyZGluZzoxOjIifQ.c2VjcmV0LW1hYy12YWx1ZS1vZi00My1jaGFyYWN0ZXJz';
  const fields: Array<Record<string, unknown>> = [];
  const server = await startHttpServer({
    port: 0,
    host: '127.0.0.1',
    log: (_event, f) => void fields.push(f),
    routes: [
      {
        methods: ['GET', 'POST'],
        path: /^\/approvals\/(?<token>[^/]+)(?:\/result)?$/,
        handle: () => {
          throw new Error('boom');
        },
      },
    ],
  });
  try {
    for (const path of [`/approvals/${token}`, `/approvals/${token}/result?x=${token}`]) {
      const answer = await fetch(`http://127.0.0.1:${server.port}${path}`);
      expect(answer.status).toBe(500);
    }
    expect(fields.map((f) => f.path)).toEqual(['/approvals/[token]', '/approvals/[token]/result']);
    expect(JSON.stringify(fields)).not.toContain(token.split('.')[0]!);
  } finally {
    await server.close();
  }

  expect(loggablePath(`/approvals/${token}?a=b`)).toBe('/approvals/[token]');
  expect(redactApprovalTokens(`see https://approve.example/approvals/${token} and /APPROVALS/${token}/result`)).toBe(
    'see https://approve.example/approvals/[token] and /APPROVALS/[token]/result',
  );

  // Whatever a caller puts in a line (a mail link, a library's message), the JSON log writes it redacted.
  const written: string[] = [];
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  try {
    jsonLog('mail.outbox', { links: [`https://approve.example/approvals/${token}`] });
    jsonLog('slack.bolt', { message: `Unhandled request to /approvals/${token}/result` });
  } finally {
    write.mockRestore();
  }
  expect(written).toHaveLength(2);
  expect(written.join('')).not.toContain(token.split('.')[0]!);
  expect(JSON.parse(written[0]!).links).toEqual(['https://approve.example/approvals/[token]']);
  expect(JSON.parse(written[1]!).message).toBe('Unhandled request to /approvals/[token]/result');
});

/**
 * HTML pages for people (the approval pages): one layout that reads well on a phone and needs no
 * JavaScript, and the headers every such response carries: no caching, no referrer, no framing,
 * and a Content-Security-Policy that allows no script at all and only this file's stylesheet
 * (by its hash).
 */
import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { Html, html } from '../html';

const STYLE = `
*{box-sizing:border-box}
body{margin:0;background:#f4f5f7;color:#1f2328;font:16px/1.5 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;-webkit-text-size-adjust:100%}
main{max-width:36rem;margin:0 auto;padding:1.25rem 1rem 2.5rem}
.brand{margin:0 0 1rem;font-size:.875rem;font-weight:600;color:#57606a}
.card{background:#fff;border-radius:.5rem;padding:1.25rem;box-shadow:0 1px 3px rgba(0,0,0,.08)}
h1{margin:0 0 1rem;font-size:1.375rem;line-height:1.3}
p{margin:0 0 1rem}
dl{margin:0 0 1.25rem;display:grid;grid-template-columns:1fr;column-gap:1rem}
dt{margin-top:.625rem;font-size:.875rem;font-weight:600;color:#57606a}
dd{margin:0;overflow-wrap:anywhere}
@media (min-width:32rem){dl{grid-template-columns:auto 1fr;row-gap:.5rem}dt{margin-top:0}}
label{display:block;margin:0 0 .375rem;font-weight:600}
textarea{display:block;width:100%;min-height:5.5rem;padding:.625rem;font:inherit;border:1px solid #c9ccd1;border-radius:.375rem;resize:vertical}
.hint{font-size:.875rem;color:#57606a}
.actions{display:flex;flex-wrap:wrap;gap:.75rem;margin:1.25rem 0 .5rem}
button{flex:1 1 9rem;min-height:3rem;padding:.75rem 1rem;font:inherit;font-weight:600;border-radius:.375rem;border:2px solid transparent;cursor:pointer}
.approve{background:#1a7f37;color:#fff}
.deny{background:#fff;color:#b42318;border-color:#b42318}
button:focus-visible{outline:3px solid #0969da;outline-offset:2px}
.outcome{padding:.75rem 1rem;border-radius:.375rem;font-weight:600}
.outcome-approve{background:#dafbe1;color:#116329}
.outcome-deny{background:#ffebe9;color:#a40e26}
.outcome-info{background:#ddf4ff;color:#0a3069}
a{color:#0969da}
`;

const STYLE_HASH = createHash('sha256').update(STYLE).digest('base64');

const CONTENT_SECURITY_POLICY = ["default-src 'none'", `style-src 'sha256-${STYLE_HASH}'`, "form-action 'self'", "frame-ancestors 'none'", "base-uri 'none'"].join('; ');

/** Headers of every approval-page response, redirects, refusals and errors included. */
const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'Cache-Control': 'no-store',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'X-Robots-Tag': 'noindex, nofollow',
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
};

/** Paths of the pages: the server sets the page headers on every response there, before routing. */
export const PAGE_PATHS = /^\/approvals(\/|$)/;

/** Sets the page headers on a response; whatever answers it later keeps them. */
export function setPageHeaders(res: ServerResponse): void {
  for (const [name, value] of Object.entries(PAGE_HEADERS)) res.setHeader(name, value);
}

export interface Page {
  title: string;
  /** The small line above the card, e.g. the MSP's name. */
  brand: string;
  body: Html;
}

export function renderPage(page: Page): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex, nofollow">
<title>${page.title}</title>
<style>${new Html(STYLE)}</style>
</head>
<body>
<main>
<p class="brand">${page.brand}</p>
<div class="card">
${page.body}
</div>
</main>
</body>
</html>
`.value;
}

/** Sends a page (only its headers for HEAD). */
export function sendPage(res: ServerResponse, statusCode: number, page: Page, options: { head?: boolean; headers?: Record<string, string | string[]> } = {}): void {
  const body = renderPage(page);
  res.writeHead(statusCode, {
    ...PAGE_HEADERS,
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    ...options.headers,
  });
  res.end(options.head ? undefined : body);
}

/** A 303 to a URL relative to the request's, with the page headers. */
export function redirect(res: ServerResponse, location: string, headers: Record<string, string | string[]> = {}): void {
  res.writeHead(303, { ...PAGE_HEADERS, Location: location, 'Content-Length': 0, ...headers });
  res.end();
}

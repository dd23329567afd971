/**
 * A small router for node:http. Route groups (health, approval pages, Slack events) each live in
 * their own module and export a list of routes; the server mounts them in order.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export type Method = 'GET' | 'HEAD' | 'POST' | 'OPTIONS';

export interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** Named groups of the route's pattern. */
  params: Record<string, string>;
}

export interface Route {
  methods: readonly Method[];
  /** Matched against the whole path; named groups become `params`. */
  path: RegExp;
  handle(context: RouteContext): Promise<void> | void;
}

export type Routes = readonly Route[];

export function sendJson(res: ServerResponse, statusCode: number, body: unknown, head = false): void {
  const text = JSON.stringify(body);
  res.writeHead(statusCode, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  });
  res.end(head ? undefined : text);
}

/** The request's target as a URL on this server (a path such as `//` is a path here, not a host); null when it is none. */
export function requestUrl(target: string | undefined): URL | null {
  const path = target ?? '/';
  try {
    return new URL(`http://localhost${path.startsWith('/') ? '' : '/'}${path}`);
  } catch {
    return null;
  }
}

/** Finds the route for a request: 404 when no path matches, 405 when the path matches another method. */
export function dispatch(routes: Routes, req: IncomingMessage, res: ServerResponse): Promise<void> | void {
  const url = requestUrl(req.url);
  if (!url) return sendJson(res, 400, { error: 'bad request' }, req.method === 'HEAD');
  const allowed = new Set<Method>();
  for (const route of routes) {
    const match = route.path.exec(url.pathname);
    if (!match || match[0] !== url.pathname) continue;
    if (!route.methods.includes(req.method as Method)) {
      for (const method of route.methods) allowed.add(method);
      continue;
    }
    return route.handle({ req, res, url, params: { ...match.groups } });
  }
  if (allowed.size > 0) {
    res.setHeader('Allow', [...allowed].join(', '));
    return sendJson(res, 405, { error: 'method not allowed' }, req.method === 'HEAD');
  }
  return sendJson(res, 404, { error: 'not found' }, req.method === 'HEAD');
}

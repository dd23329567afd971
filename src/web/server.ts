/** The HTTP server on PORT (docs/design.md §12): health and approval pages; Slack events mount here too. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Log } from '../log';
import { PAGE_PATHS, setPageHeaders } from './page';
import { loggablePath } from './redact';
import { dispatch, requestUrl, sendJson, type Routes } from './router';

export interface HttpServer {
  server: Server;
  port: number;
  /** Stops accepting connections, lets requests in flight finish (up to `graceMs`), then closes the rest. */
  close(graceMs?: number): Promise<void>;
}

export async function startHttpServer(options: { port: number; host?: string; routes: Routes; log: Log }): Promise<HttpServer> {
  const { routes, log } = options;
  const server = createServer((req, res) => {
    // A page's refusals (404, 405) and errors (500) are for a browser too: the same headers as the page.
    if (PAGE_PATHS.test(requestUrl(req.url)?.pathname ?? '')) setPageHeaders(res);
    Promise.resolve()
      .then(() => dispatch(routes, req, res))
      .catch((error: unknown) => {
        // A client that went away mid-request is no error of ours: nothing to answer, nothing to log.
        if (req.destroyed && !req.complete) return void res.destroy();
        log('http.error', { method: req.method, path: loggablePath(req.url), error: error instanceof Error ? error.message : String(error) });
        if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
        else res.destroy();
      });
  });

  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(options.port, options.host, () => {
      server.off('error', fail);
      ok();
    });
  });

  return {
    server,
    port: (server.address() as AddressInfo).port,
    async close(graceMs = 5_000) {
      const closed = new Promise<void>((ok) => server.close(() => ok()));
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), graceMs);
      await closed;
      clearTimeout(timer);
    },
  };
}

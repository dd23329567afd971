/** The router's reading of request targets that are no ordinary paths. */
import { request } from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { requestUrl, sendJson } from '../src/web/router';
import { startHttpServer, type HttpServer } from '../src/web/server';

let http: HttpServer;
const logged: string[] = [];

beforeAll(async () => {
  http = await startHttpServer({
    port: 0,
    host: '127.0.0.1',
    log: (event) => logged.push(event),
    routes: [{ methods: ['GET'], path: /^\/things$/, handle: ({ res }) => sendJson(res, 200, { ok: true }) }],
  });
});

afterAll(async () => {
  await http.close();
});

/** A request with the target exactly as given (fetch would normalise it). */
function send(method: string, target: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: http.port, method, path: target }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

it('reads `//`, `//host/x` and `*` as paths of this server, not as hosts', () => {
  expect(requestUrl('//')?.pathname).toBe('//');
  expect(requestUrl('//evil.example/things')?.pathname).toBe('//evil.example/things');
  expect(requestUrl('*')?.pathname).toBe('/*');
  expect(requestUrl('/things?x=1')?.pathname).toBe('/things');
  expect(requestUrl(undefined)?.pathname).toBe('/');
});

it('answers 404 for such targets, never 500', async () => {
  for (const method of ['GET', 'PUT', 'OPTIONS', 'HEAD']) {
    expect(await send(method, '//'), `${method} //`).toBe(404);
    expect(await send(method, '//evil.example/things'), `${method} //evil.example/things`).toBe(404);
  }
  expect(await send('GET', '/things')).toBe(200);
  expect(logged).not.toContain('http.error');
});

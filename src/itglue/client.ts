/**
 * A small JSON:API client for IT Glue (axios): the region's base URL, the API key header, paging
 * 1000 records at a time by following `links.next`, and a per-process request rate. Each request is
 * sent once: a failure is an ItGlueError (`retryable` for rate limits, server errors, time-outs and
 * network failures, with IT Glue's Retry-After), and the caller decides whether to try again (an
 * activity fails, and Temporal retries it through the IT Glue task queue). An answer that does not
 * match the expected shape is an error too (`invalid-response`, not retryable); the API key never
 * leaves the request headers.
 *
 * The key goes to ITGLUE_API_URL's origin only: every request's URL (a `links.next` from IT Glue
 * included) is parsed and its origin compared with the base URL's, so another scheme, host or
 * port is refused before anything is sent, however it is spelt. Redirects are not followed (a 3xx
 * is an error) and the environment's proxy settings are not used. A list is read for at most
 * `maxPages` pages and `maxRecords` records, and stops when IT Glue links to a page it already sent.
 * A request made inside `withRequestOptions` (an activity's) is aborted by its signal and reports
 * each answer as progress.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import axios, { type AxiosInstance } from 'axios';
import type { z } from 'zod';
import { documentSchema, listDocumentSchema } from './schemas';
import { countFailure, countItGlueRequest, type FailureKind } from '../metrics/counters';
import { errorForResponse, ItGlueError, type ItGlueErrorKind } from './errors';
import { RateLimiter } from './rate-limiter';

export const PAGE_SIZE = 1000;
/** The most pages one list is read for (100 pages of 1000: 100,000 records, far above real accounts). */
export const MAX_PAGES = 100;
/** The most records one list is read for. */
export const MAX_RECORDS = 100_000;
const JSON_API = 'application/vnd.api+json';

export interface ItGlueClientOptions {
  baseUrl: string;
  apiKey: string;
  /** Requests per second from this process (default 8: 2400 per 5 minutes, under IT Glue's 3000). */
  requestsPerSecond?: number;
  timeoutMs?: number;
  /** Pages read of one list at most (default MAX_PAGES); a list still going on after them is an error. */
  maxPages?: number;
  /** Records read of one list at most (default MAX_RECORDS). */
  maxRecords?: number;
}

/** What the caller of a request brings to it (an activity: its cancellation and its heartbeat). */
export interface RequestOptions {
  /** Aborts the request in flight (or, aborted while it waits its turn, it is not sent); it then fails with the signal's reason. */
  signal?: AbortSignal;
  /** Called after each answer IT Glue gives: the caller's work progresses. */
  onProgress?: () => void;
  /** The longest wait for an answer, when shorter than the client's `timeoutMs`. */
  timeoutMs?: number;
}

const ambient = new AsyncLocalStorage<RequestOptions>();

/**
 * Runs `work` so that every IT Glue request it makes, through any client, carries `options`
 * (options given to a request itself win).
 */
export function withRequestOptions<T>(options: RequestOptions, work: () => Promise<T>): Promise<T> {
  return ambient.run(options, work);
}

export type Params = Record<string, string | number | undefined>;

/** A filter value: several values are joined by commas, and a comma inside a value is escaped. */
export function filterValue(...values: string[]): string {
  return values.map((v) => v.replace(/,/g, '\\,')).join(',');
}

/** Ids as IT Glue takes them in request bodies: numbers where they are numeric. */
export function wireIds(ids: string[]): (number | string)[] {
  return ids.map((id) => (/^\d+$/.test(id) ? Number(id) : id));
}

/** A URL with a scheme (`HTTP://…` as well as `https://…`) or a network-path reference (`//host/…`). */
const ABSOLUTE = /^([a-z][a-z\d+.-]*:|[\\/]{2})/i;

/** The URL's query in one spelling (`page[size]` and `page%5Bsize%5D` alike), to recognise a link seen before. */
function canonical(url: URL): string {
  return `${url.origin}${url.pathname}?${new URLSearchParams(url.search).toString()}`;
}

export class ItGlueClient {
  private readonly http: AxiosInstance;
  private readonly limiter: RateLimiter;
  private readonly baseUrl: string;
  private readonly origin: string;
  /** Requests sent, for budgets and benchmarks. */
  requestCount = 0;

  constructor(private readonly options: ItGlueClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.origin = new URL(this.baseUrl).origin;
    this.limiter = new RateLimiter(options.requestsPerSecond ?? 8);
    this.http = axios.create({
      timeout: options.timeoutMs ?? 30_000,
      headers: { 'x-api-key': options.apiKey, Accept: JSON_API },
      validateStatus: () => true,
      // A redirect is IT Glue's answer, not followed: the key would go along to wherever it points.
      maxRedirects: 0,
      // Not through a proxy from the environment (HTTP_PROXY, HTTPS_PROXY): straight to ITGLUE_API_URL.
      proxy: false,
    });
  }

  /**
   * The URL a request goes to: a path under the base URL, or a link IT Glue gave (absolute), with
   * `params` added. Refused unless its origin (scheme, host and port, as parsed) is the base URL's.
   */
  private target(path: string, params: Params): URL {
    let url: URL;
    try {
      // A network-path reference (`//host/…`) takes the base URL's scheme, as a browser would.
      url = ABSOLUTE.test(path) ? new URL(path, this.baseUrl) : new URL(`${this.baseUrl}/${path.replace(/^\/+/, '')}`);
    } catch {
      throw new ItGlueError('invalid-response', `IT Glue gave a link that is not a URL (${JSON.stringify(path.slice(0, 200))}); not followed`, null);
    }
    if (url.origin !== this.origin) {
      throw new ItGlueError(
        'invalid',
        `A link to ${url.origin}${url.pathname} was not followed: IT Glue requests (and the API key) go to ITGLUE_API_URL's origin ${this.origin} only`,
        null,
      );
    }
    for (const [key, value] of Object.entries(params)) if (value !== undefined) url.searchParams.append(key, String(value));
    return url;
  }

  /** One request, sent once (a failure is an ItGlueError, retryable or not). Returns the parsed body. */
  async request(method: 'GET' | 'PATCH' | 'POST', path: string, params: Params = {}, body?: unknown, options: RequestOptions = {}): Promise<unknown> {
    return this.send(method, path, params, body, { ...ambient.getStore(), ...options });
  }

  private async send(method: 'GET' | 'PATCH' | 'POST', path: string, params: Params, body: unknown, call: RequestOptions): Promise<unknown> {
    const url = this.target(path, params);
    const what = `${method} ${ABSOLUTE.test(path) ? url.pathname : path.split('?')[0]}`;
    call.signal?.throwIfAborted();
    await this.limiter.take();
    call.signal?.throwIfAborted();
    this.requestCount += 1;
    const timeout = Math.min(this.options.timeoutMs ?? 30_000, call.timeoutMs ?? Infinity);
    let response;
    try {
      response = await this.http.request({
        method,
        url: url.href,
        data: body,
        headers: body === undefined ? {} : { 'Content-Type': JSON_API },
        signal: call.signal,
        timeout,
      });
    } catch (error) {
      // Cancelled by the caller: its reason, not a failure of IT Glue.
      call.signal?.throwIfAborted();
      const code = (error as { code?: string }).code ?? 'network error';
      if (code === 'ECONNABORTED' || code === 'ETIMEDOUT') {
        countItGlueRequest(method, 'timeout');
        throw new ItGlueError('unavailable', `IT Glue did not answer within ${timeout / 1000} s (${what})`, null);
      }
      countItGlueRequest(method, 'unreachable');
      throw new ItGlueError('unavailable', `IT Glue could not be reached (${what}): ${code}`, null);
    }
    call.onProgress?.();
    if (response.status >= 200 && response.status < 300) {
      countItGlueRequest(method, 'ok');
      return response.data;
    }
    const failure =
      response.status >= 300 && response.status < 400
        ? redirectError(what, response.status, response.headers.location)
        : errorForResponse(what, response.status, response.data, response.headers['retry-after'] as string | undefined);
    countItGlueRequest(method, ANSWERED_FAILURE[failure.kind]);
    throw failure;
  }

  /** One resource. */
  async get<S extends z.ZodType>(path: string, schema: S, params: Params = {}): Promise<z.output<S>> {
    return (await this.getWithIncluded(path, schema, params)).data;
  }

  /** One resource and the resources its `include=` brought along (unchecked: each caller reads what it needs). */
  async getWithIncluded<S extends z.ZodType>(path: string, schema: S, params: Params = {}): Promise<{ data: z.output<S>; included: unknown[] }> {
    const doc = parse(documentSchema, await this.request('GET', path, params), path);
    return { data: parse(schema, doc.data, path, ['data']), included: doc.included ?? [] };
  }

  /**
   * Every page of a list, 1000 records a page, following `links.next`: at most `maxPages` pages
   * and `maxRecords` records, and never a page whose link came before (IT Glue going round in a
   * loop). Beyond those it fails (`invalid-response`, not retryable).
   */
  async *pages<S extends z.ZodType>(path: string, schema: S, params: Params = {}): AsyncGenerator<z.output<S>[]> {
    const maxPages = this.options.maxPages ?? MAX_PAGES;
    const maxRecords = this.options.maxRecords ?? MAX_RECORDS;
    const list = `IT Glue's list GET ${path.split('?')[0]}`;
    const seen = new Set<string>();
    let next: string | null = path;
    let query: Params = { ...params, 'page[size]': PAGE_SIZE };
    let pages = 0;
    let records = 0;
    while (next) {
      if (pages >= maxPages) {
        throw new ItGlueError('invalid-response', `${list} went on past ${maxPages} pages: stopped there (the most read of one list)`, null);
      }
      const link = canonical(this.target(next, query));
      if (seen.has(link)) {
        throw new ItGlueError('invalid-response', `${list} linked page ${pages + 1} to a page it had already sent: stopped instead of reading it again`, null);
      }
      seen.add(link);
      const doc: z.output<typeof listDocumentSchema> = parse(listDocumentSchema, await this.request('GET', next, query), path);
      pages += 1;
      records += doc.data.length;
      if (records > maxRecords) {
        throw new ItGlueError('invalid-response', `${list} sent more than ${maxRecords} records: stopped there (the most read of one list)`, null);
      }
      yield doc.data.map((item, i) => parse(schema, item, path, ['data', i]));
      next = doc.links?.next ?? null;
      query = {}; // the next link carries the query
    }
  }

  async list<S extends z.ZodType>(path: string, schema: S, params: Params = {}): Promise<z.output<S>[]> {
    const all: z.output<S>[] = [];
    for await (const page of this.pages(path, schema, params)) all.push(...page);
    return all;
  }

  async patch(path: string, body: unknown): Promise<unknown> {
    return this.request('PATCH', path, {}, body);
  }

  /** Creates a resource; returns IT Glue's answer (the new resource). */
  async post<S extends z.ZodType>(path: string, schema: S, body: unknown): Promise<z.output<S>> {
    const doc = parse(documentSchema, await this.request('POST', path, {}, body), path);
    return parse(schema, doc.data, path, ['data']);
  }
}

/** The metrics' kind of failure of an answer IT Glue gave (src/metrics/counters.ts). */
const ANSWERED_FAILURE: Record<ItGlueErrorKind, FailureKind> = {
  auth: 'auth',
  'not-found': 'not_found',
  invalid: 'refused',
  'invalid-response': 'invalid',
  'rate-limited': 'rate_limited',
  unavailable: 'server_error',
};

/** A 3xx from IT Glue, not followed: its status and where it pointed (the origin only). */
function redirectError(what: string, status: number, location: unknown): ItGlueError {
  let to = '';
  try {
    if (typeof location === 'string' && location) to = ` to ${new URL(location).origin}`;
  } catch {
    // A relative or unreadable Location: the status says enough.
  }
  return new ItGlueError('invalid', `IT Glue answered ${status} (a redirect${to}) to ${what}: redirects are not followed; check ITGLUE_API_URL`, status);
}

/** `value` (found at `at` in IT Glue's answer to GET `path`) checked against `schema`. */
function parse<S extends z.ZodType>(schema: S, value: unknown, path: string, at: PropertyKey[] = []): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  countFailure('itglue', 'invalid');
  const issue = result.error.issues[0];
  const where = [...at, ...(issue?.path ?? [])].map(String).join('.') || 'the body';
  throw new ItGlueError('invalid-response', `IT Glue's answer to GET ${path} was not understood: ${where}: ${issue?.message}`, null);
}

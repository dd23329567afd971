/**
 * A small JSON:API client for IT Glue (axios): the region's base URL, the API key header, paging
 * 1000 records at a time by following `links.next`, a per-process request rate, and retries of
 * rate limits, server errors and network failures with exponential backoff honouring Retry-After
 * (both at most `maxBackoffMs`). Every failure is an ItGlueError, an answer that does not match the
 * expected shape too (`invalid-response`, not retried); the API key never leaves the request headers.
 */
import axios, { type AxiosInstance } from 'axios';
import { z } from 'zod';
import { documentSchema, listDocumentSchema } from './schemas';
import { errorForResponse, ItGlueError } from './errors';
import { RateLimiter } from './rate-limiter';

export const PAGE_SIZE = 1000;
const JSON_API = 'application/vnd.api+json';

export interface ItGlueClientOptions {
  baseUrl: string;
  apiKey: string;
  /** Requests per second from this process (default 8: 2400 per 5 minutes, under IT Glue's 3000). */
  requestsPerSecond?: number;
  /** Further attempts after a retryable failure (default 4); 0 for callers that cannot wait. */
  retries?: number;
  /** First backoff delay (default 1 s), doubled at each attempt up to `maxBackoffMs` (default 30 s). */
  backoffMs?: number;
  /** The longest wait between attempts, after a Retry-After too. */
  maxBackoffMs?: number;
  timeoutMs?: number;
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

export class ItGlueClient {
  private readonly http: AxiosInstance;
  private readonly limiter: RateLimiter;
  private readonly origin: string;
  /** Requests sent, for budgets and benchmarks. */
  requestCount = 0;

  constructor(private readonly options: ItGlueClientOptions) {
    const baseURL = options.baseUrl.replace(/\/+$/, '');
    this.origin = new URL(baseURL).origin;
    this.limiter = new RateLimiter(options.requestsPerSecond ?? 8);
    this.http = axios.create({
      baseURL,
      timeout: options.timeoutMs ?? 30_000,
      headers: { 'x-api-key': options.apiKey, Accept: JSON_API },
      validateStatus: () => true,
      // Keep IT Glue's `filter[name]` style keys readable and the values exactly as given.
      paramsSerializer: { serialize: (params) => new URLSearchParams(params as Record<string, string>).toString() },
    });
  }

  /** One request, retried while the failure is worth retrying. Returns the parsed body. */
  async request(method: 'GET' | 'PATCH' | 'POST', path: string, params: Params = {}, body?: unknown): Promise<unknown> {
    const retries = this.options.retries ?? 4;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.send(method, path, params, body);
      } catch (error) {
        if (!(error instanceof ItGlueError) || !error.retryable || attempt >= retries) throw error;
        const maxBackoff = this.options.maxBackoffMs ?? 30_000;
        const backoff = Math.min((this.options.backoffMs ?? 1000) * 2 ** attempt, maxBackoff);
        const delay = Math.min(error.retryAfterMs ?? backoff * (0.75 + Math.random() / 2), maxBackoff);
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  private async send(method: 'GET' | 'PATCH' | 'POST', path: string, params: Params, body: unknown): Promise<unknown> {
    const what = `${method} ${path.split('?')[0]}`;
    if (/^https?:/.test(path) && new URL(path).origin !== this.origin) {
      throw new ItGlueError('invalid', `IT Glue sent a link to another host (${new URL(path).host}); not followed`, null);
    }
    const cleanParams = Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)]));
    await this.limiter.take();
    this.requestCount += 1;
    let response;
    try {
      response = await this.http.request({
        method,
        url: path,
        params: cleanParams,
        data: body,
        headers: body === undefined ? {} : { 'Content-Type': JSON_API },
      });
    } catch (error) {
      const code = (error as { code?: string }).code ?? 'network error';
      throw new ItGlueError('unavailable', `IT Glue could not be reached (${what}): ${code}`, null);
    }
    if (response.status >= 200 && response.status < 300) return response.data;
    throw errorForResponse(what, response.status, response.data, response.headers['retry-after'] as string | undefined);
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

  /** Every page of a list, 1000 records a page, following `links.next`. */
  async *pages<S extends z.ZodType>(path: string, schema: S, params: Params = {}): AsyncGenerator<z.output<S>[]> {
    let next: string | null = path;
    let query: Params = { ...params, 'page[size]': PAGE_SIZE };
    while (next) {
      const doc: z.output<typeof listDocumentSchema> = parse(listDocumentSchema, await this.request('GET', next, query), path);
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

/** `value` (found at `at` in IT Glue's answer to GET `path`) checked against `schema`. */
function parse<S extends z.ZodType>(schema: S, value: unknown, path: string, at: PropertyKey[] = []): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = [...at, ...(issue?.path ?? [])].map(String).join('.') || 'the body';
  throw new ItGlueError('invalid-response', `IT Glue's answer to GET ${path} was not understood: ${where}: ${issue?.message}`, null);
}

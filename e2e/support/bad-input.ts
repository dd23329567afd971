/**
 * Tools of the bad-input corpus (e2e/bad-input.e2e.ts): raw HTTP requests that keep the path as
 * written (no normalisation of `..`), a bounded pool, and generators of hostile text.
 */
import { request } from 'node:http';
import fc from 'fast-check';

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  ms: number;
}

export interface RawFailure {
  /** The request got no HTTP answer (reset, refused, timed out). */
  error: string;
  ms: number;
}

export interface RawRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/** One HTTP request as given (path, headers and body byte for byte). */
export function raw(base: string, r: RawRequest, timeoutMs = 20_000): Promise<RawAnswer | RawFailure> {
  const url = new URL(base);
  const at = Date.now();
  return new Promise((resolve) => {
    const body = r.body === undefined ? undefined : Buffer.isBuffer(r.body) ? r.body : Buffer.from(r.body, 'utf8');
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method: r.method,
        path: r.path,
        headers: { ...(body ? { 'Content-Length': String(body.length) } : {}), ...r.headers },
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), ms: Date.now() - at }));
        res.on('error', (e) => resolve({ error: `response: ${e.message}`, ms: Date.now() - at }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (e) => resolve({ error: e.message, ms: Date.now() - at }));
    if (body) req.write(body);
    req.end();
  });
}

export const isFailure = (a: RawAnswer | RawFailure): a is RawFailure => 'error' in a;

/** Runs `fn` over the items, at most `limit` at a time; results in the items' order. */
export async function inPool<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!, index);
    }
  });
  await Promise.all(workers);
  return results;
}

/** Strings that mean something to Slack's mrkdwn, HTML, Temporal's visibility queries, SQL, paths or templates. */
export const INJECTIONS = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  '*bold* _italic_ ~strike~ `code` ```block```',
  '<!channel>',
  '<!here>',
  '<!everyone>',
  '<!subteam^S0TECHS001>',
  '<@U123>',
  '<@U0TECH0001>',
  '<@U0OUT00001|outsider>',
  '<#C0ONBOARD1|onboarding>',
  '<https://evil.example|Click here>',
  '<mailto:x@evil.example|paula.primary@acme-dental.test>',
  '&lt;script&gt;alert(1)&lt;/script&gt;',
  '&amp;&lt;&gt;',
  '" OR WorkflowId != "',
  '" OR WorkflowType = "onboarding',
  "' OR '1'='1",
  '1001" OR OnboardingOrgId != "1001',
  'ExecutionStatus = "Running") OR (1=1',
  '"; DROP TABLE executions; --',
  '1001; DROP TABLE users',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: hostile input that looks like a template, on purpose
  '${process.exit(1)}',
  '{{constructor.constructor("return process")().exit()}}',
  '__proto__',
  'constructor',
  '../../../../etc/passwd',
  '..%2F..%2F..%2Fetc%2Fpasswd',
  '%00',
  '%',
  '%%%',
  '\u0000',
  '\u0000\u0001\u0002\u001b[31m\u007f',
  '\r\nX-Injected: 1',
  '\u202eevil\u202c',
  '\u200b\u200c\u200d\ufeff',
  '\ud800',
  '\udfff\ud800',
  '𝕬𝖈𝖒𝖊 𝕯𝖊𝖓𝖙𝖆𝖑',
  'Z̷̢͓̈́a̶͚͐l̸̰̏g̵̣̈o̷̧͝',
  '👩‍👩‍👧‍👦🏳️‍🌈',
  'مرحبا بالعالم',
  '   ',
  '\t\n',
  'null',
  'undefined',
  'NaN',
  '-1',
  '0',
  '1e309',
  '9007199254740993',
  'true',
  '[]',
  '{}',
  '{"orgId":"1001"}',
  'onboarding:1001:2001',
  'onboarding:1002:2101',
  'onboarding:1001:',
  'onboarding:::',
  'AWAITING_APPROVAL',
  'awaiting approval',
  'overdue',
  'COMPLETED',
  'Acme',
  'Acme Dental',
  'paula.primary@acme-dental.test',
  'nobody@nowhere.invalid',
  '<mailto:nobody@nowhere.invalid|nobody@nowhere.invalid>',
  '@',
  'a@b.c',
];

/** A long string of `unit` (repeated), between `min` and `max` characters. */
const long = (min: number, max: number) =>
  fc
    .tuple(fc.constantFrom('x', 'é', '𝕬', '<!channel> ', '" OR 1=1 ', '\u0000', '*b* ', '漢'), fc.integer({ min, max }))
    .map(([unit, n]) => unit.repeat(Math.ceil(n / unit.length)).slice(0, n));

/** Hostile text: injections, any unicode, control characters, mixtures and oversized strings. */
export function hostileText(options: { maxLong?: number } = {}): fc.Arbitrary<string> {
  const maxLong = options.maxLong ?? 40_000;
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...INJECTIONS) },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 80 }) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary-ascii', maxLength: 60 }) },
    { weight: 2, arbitrary: fc.array(fc.constantFrom(...INJECTIONS), { minLength: 2, maxLength: 5 }).map((parts) => parts.join(' ')) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...INJECTIONS), fc.string({ unit: 'grapheme', maxLength: 20 })).map(([a, b]) => `${b}${a}${b}`) },
    { weight: 1, arbitrary: long(3_001, maxLong) },
  );
}

/** A value of any JSON type (for fields that expect a string, an object or an array). */
export function anyJson(): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double(),
    hostileText({ maxLong: 5_000 }),
    fc.array(fc.oneof(fc.string(), fc.integer()), { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.string(), fc.integer(), fc.constant(null)), { maxKeys: 3 }),
  );
}

/** Percent-encoding of the UTF-8 bytes (a lone surrogate becomes U+FFFD, where encodeURIComponent throws). */
export function percentEncode(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-_.~]/.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** A replayable slice of a case for failure messages. */
export function describeCase(value: unknown, max = 400): string {
  const text = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'string' && v.length > 120 ? `${v.slice(0, 60)}…(${v.length} chars)` : v));
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

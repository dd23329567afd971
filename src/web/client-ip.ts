/**
 * The address a request came from, for the evidence kept with a decision. Behind a reverse proxy
 * the peer is the proxy: when the peer is a trusted proxy (TRUST_PROXY), X-Forwarded-For is read
 * from the right, skipping trusted proxies, and the first other address is the client's.
 */
import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';

/** One TRUST_PROXY entry: an IP address or a CIDR range such as 10.0.0.0/8 or fd00::/8. */
export function isProxyEntry(entry: string): boolean {
  const [address, prefix, ...rest] = entry.split('/');
  const version = isIP(address ?? '');
  if (version === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (version === 4 ? 32 : 128);
}

export type TrustedProxies = BlockList;

export function trustedProxies(entries: readonly string[]): TrustedProxies {
  const list = new BlockList();
  for (const entry of entries) {
    const [address, prefix] = entry.split('/') as [string, string | undefined];
    const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(prefix), type);
  }
  return list;
}

/** `::ffff:127.0.0.1` → `127.0.0.1`; null for anything that is not an address. */
function normalize(address: string | undefined): string | null {
  const text = address?.trim().replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '') ?? '';
  return isIP(text) ? text : null;
}

function isTrusted(proxies: TrustedProxies, address: string): boolean {
  return proxies.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');
}

export function clientIp(req: IncomingMessage, proxies: TrustedProxies): string | null {
  const peer = normalize(req.socket.remoteAddress);
  if (!peer || !isTrusted(proxies, peer)) return peer;
  const header = req.headers['x-forwarded-for'];
  const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',');
  let client = peer;
  for (let i = forwarded.length - 1; i >= 0; i -= 1) {
    const address = normalize(forwarded[i]);
    if (!address) break;
    client = address;
    if (!isTrusted(proxies, address)) break;
  }
  return client;
}

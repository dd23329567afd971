/**
 * Whether an address names this machine only (`localhost`, 127.0.0.0/8, `::1`): a server there is
 * reached without crossing a network, so the rules for traffic that does (TLS, a secret of one's
 * own) can be relaxed for it. Names that merely resolve to a loopback address do not count.
 */
import { isIPv4, isIPv6 } from 'node:net';

/** A URL's hostname (brackets of an IPv6 literal allowed), case-insensitive. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIPv4(host)) return host.startsWith('127.');
  if (isIPv6(host)) {
    if (host === '::1' || /^(0{1,4}:){7}0{0,3}1$/.test(host)) return true;
    // IPv4-mapped: ::ffff:127.0.0.1, which URLs write as ::ffff:7f00:1.
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(host);
    return (mapped !== null && mapped[1]!.startsWith('127.')) || /^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(host);
  }
  return false;
}

/** Whether a URL's host is loopback; false for anything that does not parse. */
export function isLoopbackUrl(url: string): boolean {
  try {
    return isLoopbackHost(new URL(url).hostname);
  } catch {
    return false;
  }
}

/**
 * NO_PROXY as curl, Go and proxy-from-env read it: entries separated by commas or spaces; `*` matches
 * every host; `example.com`, `.example.com` and `*.example.com` match that domain and its subdomains;
 * an IP address matches itself; `host:port` only that port. Matching ignores case and a trailing dot.
 * (CIDR entries are not part of that common subset and match nothing here.)
 */
export interface NoProxyEntry {
  host: string;
  port?: number;
}

export function parseNoProxy(value: string | undefined): NoProxyEntry[] {
  if (!value) return [];
  return value
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((raw) => {
      const entry = raw.toLowerCase();
      if (entry === '*') return { host: '*' };
      // [v6]:port, host:port, or a bare host / IPv6 address.
      const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
      if (bracketed) return { host: bracketed[1]!, ...(bracketed[2] ? { port: Number(bracketed[2]) } : {}) };
      const hostPort = /^([^:]+):(\d+)$/.exec(entry);
      if (hostPort) return { host: normalise(hostPort[1]!), port: Number(hostPort[2]) };
      return { host: normalise(entry) };
    });
}

const normalise = (host: string): string => host.replace(/^\*\./, '.').replace(/\.$/, '');

/** True when `hostname:port` must be reached directly, not through the proxy. */
export function bypassesProxy(entries: readonly NoProxyEntry[], hostname: string, port: number): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
  return entries.some((e) => {
    if (e.host === '*') return true;
    if (e.port !== undefined && e.port !== port) return false;
    if (e.host.startsWith('.')) return host.endsWith(e.host) || host === e.host.slice(1);
    return host === e.host || host.endsWith(`.${e.host}`);
  });
}

import { describe, expect, it } from 'vitest';
import { bypassesProxy, parseNoProxy } from '../../../src/net/no-proxy.js';

const bypass = (noProxy: string, host: string, port = 443) => bypassesProxy(parseNoProxy(noProxy), host, port);

describe('NO_PROXY matching (curl / proxy-from-env semantics)', () => {
  it('nothing set: everything goes through the proxy', () => {
    expect(bypass('', 'slack.com')).toBe(false);
    expect(parseNoProxy(undefined)).toEqual([]);
  });

  it('* bypasses the proxy for every host', () => {
    expect(bypass('*', 'slack.com')).toBe(true);
  });

  it('a domain matches itself and its subdomains, with or without a leading dot or *.', () => {
    for (const entry of ['slack.com', '.slack.com', '*.slack.com']) {
      expect(bypass(entry, 'files.slack.com'), entry).toBe(true);
      expect(bypass(entry, 'slack.com'), entry).toBe(true);
      expect(bypass(entry, 'notslack.com'), entry).toBe(false);
    }
  });

  it('ignores case and trailing dots, and splits on commas and spaces', () => {
    expect(bypass('internal.example, SLACK.COM.', 'Slack.com.')).toBe(true);
    expect(bypass('a.example b.example', 'b.example')).toBe(true);
  });

  it('host:port bypasses only that port; IPv4 and bracketed IPv6 match themselves', () => {
    expect(bypass('127.0.0.1:8443', '127.0.0.1', 8443)).toBe(true);
    expect(bypass('127.0.0.1:8443', '127.0.0.1', 443)).toBe(false);
    expect(bypass('127.0.0.1', '127.0.0.1', 9999)).toBe(true);
    expect(bypass('[::1]:443', '[::1]', 443)).toBe(true);
    expect(bypass('::1', '::1', 80)).toBe(true);
  });

  it('slack-gov.com is not slack.com', () => {
    expect(bypass('slack.com', 'slack-gov.com')).toBe(false);
  });
});

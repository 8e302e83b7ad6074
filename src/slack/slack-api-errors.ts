import axios, { type AxiosAdapter, type InternalAxiosRequestConfig } from 'axios';
import type { SlackErrorKind } from './bot-metrics.js';

/**
 * An axios adapter for @slack/web-api's WebClient (its `adapter` option) that sees every Web API call
 * the bot makes — Bolt's own (auth.test, the listeners' client) and netpeek's — and reports the
 * failed ones by method. It sends the request with axios's own http adapter, so transport settings
 * (agent, proxy, TLS, timeout) behave exactly as without it. Slack answers platform errors with HTTP
 * 200 and `"ok":false`; the WebClient resolves every status, so those are read here, not thrown.
 */
export function errorCountingAdapter(onError: (method: string, kind: SlackErrorKind) => void): AxiosAdapter {
  const http = axios.getAdapter('http');
  return async (config: InternalAxiosRequestConfig) => {
    const method = methodOf(config.url);
    let res;
    try {
      res = await http(config);
    } catch (err) {
      const status = (err as { response?: { status?: number } }).response?.status;
      onError(method, status === 429 ? 'rate_limited' : status ? 'http' : 'request');
      throw err;
    }
    if (res.status === 429) onError(method, 'rate_limited');
    else if (res.status < 200 || res.status >= 300) onError(method, 'http');
    else if (typeof res.data === 'string' && /"ok"\s*:\s*false/.test(res.data.slice(0, 64))) onError(method, 'platform');
    return res;
  };
}

/** `chat.postMessage` from `chat.postMessage` or `https://slack.com/api/chat.postMessage?x=1`. */
function methodOf(url: string | undefined): string {
  const path = (url ?? '').split('?')[0] ?? '';
  return path.slice(path.lastIndexOf('/') + 1);
}

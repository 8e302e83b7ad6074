import http from 'node:http';
import https from 'node:https';
import { Agent, type AgentConnectOpts } from 'agent-base';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { bypassesProxy } from '../net/no-proxy.js';
import type { SlackProxy } from './slack-config.js';

/**
 * The http.Agent of every connection netpeek makes to Slack (WebClient, Bolt's response_url posts, file
 * uploads, the Socket Mode WebSocket), when HTTPS_PROXY is set: a CONNECT tunnel through the proxy, or
 * a direct connection for hosts NO_PROXY names. Given only to Slack's clients, so agents, the Kubernetes
 * API and Docker never go through it (@slack/web-api and Bolt turn axios's own env-proxy support off).
 */
export class SlackProxyAgent extends Agent {
  private readonly tunnel: HttpsProxyAgent<string>;

  constructor(private readonly proxy: SlackProxy) {
    super({ keepAlive: true });
    this.tunnel = new HttpsProxyAgent(proxy.url, { keepAlive: true });
  }

  connect(_req: http.ClientRequest, opts: AgentConnectOpts): http.Agent {
    const port = opts.port ?? (opts.secureEndpoint ? 443 : 80);
    if (bypassesProxy(this.proxy.noProxy, opts.host ?? '', port)) return opts.secureEndpoint ? https.globalAgent : http.globalAgent;
    return this.tunnel;
  }
}

import type { ServerResponse } from 'node:http';

export interface HealthState {
  transport: 'http' | 'socket';
  /** True once auth.test succeeded and the receiver listens. */
  ready: boolean;
  startedAt?: string;
}

/** `GET /healthz`: 200 with the transport when the bot is up, 503 while it starts or after it stopped. */
export function healthRoute(state: () => HealthState) {
  return {
    path: '/healthz',
    method: ['GET', 'HEAD'],
    handler: (_req: unknown, res: ServerResponse) => {
      const s = state();
      res.writeHead(s.ready ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify({ status: s.ready ? 'ok' : 'starting', transport: s.transport, startedAt: s.startedAt ?? null }));
    },
  };
}

/**
 * Bolt 4.7's HTTPReceiver with NO edge guard in front, in its own process, with netpeek's process-level
 * unhandledRejection handler installed and each request counted in flight (requests-in-flight.ts)
 * under the id the client sends in x-request-id until its response closes. A signed `null` body makes
 * Bolt read `null.ssl_check` in an async closure nobody awaits — the crash of issue 10 — so this
 * process shows that the handler logs it with the request in flight and the process keeps serving.
 * Prints {"port":N} when listening, then {"opened":id} as each request is counted in flight.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';
import { openRequest } from '../../../src/http/requests-in-flight.js';
import { createLogger } from '../../../src/log.js';
import { installUnhandledRejectionHandler } from '../../../src/unhandled-rejections.js';

const log = createLogger('info');
installUnhandledRejectionHandler(log);
const receiver = new HTTPReceiver({ signingSecret: process.env.SIGNING_SECRET ?? '', logLevel: LogLevel.ERROR });
const bolt = receiver.requestListener;
receiver.requestListener = (req, res) => {
  const id = String(req.headers['x-request-id'] ?? 'none');
  res.once('close', openRequest(id));
  // The test waits for this before it sends the request that crashes: the two are then both in flight.
  process.stdout.write(`${JSON.stringify({ opened: id })}\n`);
  bolt(req, res);
};
// The receiver alone: App#start would first call auth.test, and nothing here needs the Web API.
receiver.init(new App({ token: 'xoxb-unused', receiver, deferInitialization: true, logLevel: LogLevel.ERROR }));
const server = (await receiver.start(0)) as Server;
process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);

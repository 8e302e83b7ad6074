/**
 * Bolt 4.7's HTTPReceiver with NO edge guard in front, in its own process, with netpeek's process-level
 * unhandledRejection handler installed and each request run under the id the client sends in
 * x-request-id (as the edge guard does with its own ids). A signed `null` body makes Bolt read
 * `null.ssl_check` in an async closure nobody awaits — the crash of issue 10 — so this process shows
 * that the handler logs it with the request id and the process keeps serving.
 * Prints {"port":N} when listening.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';
import { withRequestId } from '../../../src/http/request-context.js';
import { createLogger } from '../../../src/log.js';
import { installUnhandledRejectionHandler } from '../../../src/unhandled-rejections.js';

const log = createLogger('info');
installUnhandledRejectionHandler(log);
const receiver = new HTTPReceiver({ signingSecret: process.env.SIGNING_SECRET ?? '', logLevel: LogLevel.ERROR });
const bolt = receiver.requestListener;
receiver.requestListener = (req, res) => withRequestId(() => bolt(req, res), String(req.headers['x-request-id'] ?? 'none'));
// The receiver alone: App#start would first call auth.test, and nothing here needs the Web API.
receiver.init(new App({ token: 'xoxb-unused', receiver, deferInitialization: true, logLevel: LogLevel.ERROR }));
const server = (await receiver.start(0)) as Server;
process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);

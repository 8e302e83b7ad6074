/**
 * A real HTTP proxy (the `proxy` package: CONNECT tunnels and plain HTTP forwarding) in its own process,
 * on 127.0.0.1:0. Prints {"port":N} when listening, then one JSON line per request it handled:
 * {"method":"CONNECT","target":"127.0.0.1:8443"} — what the test counts as "passed through the proxy".
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createProxy } from 'proxy';

const server = createProxy(createServer());
server.on('connect', (req) => process.stdout.write(`${JSON.stringify({ method: 'CONNECT', target: req.url })}\n`));
server.on('request', (req) => process.stdout.write(`${JSON.stringify({ method: req.method, target: req.url })}\n`));
server.listen(0, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`));

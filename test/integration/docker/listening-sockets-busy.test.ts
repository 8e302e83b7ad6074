/**
 * The socket reader stops reading a table once it holds every listener (TableScan): at the first
 * connected row, or once the listeners reach the namespace's sockstat count. Here against a real
 * namespace with connections open into it (established rows in both tcp and tcp6 after the listeners)
 * and, between reads, a listener more: every listener is found, and nothing but listeners.
 */
import net from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { listeningSockets } from '../../../src/sources/listening-sockets.js';
import { describeNeeding, DOCKER } from '../../support/backends.js';
import { BUSYBOX_IMAGE, DockerFixtures, docker, ensureBusyboxImages, inspect, untilListening } from '../../support/docker-fixtures.js';

describeNeeding(DOCKER, 'listening sockets of a namespace with connections open into it', () => {
  const fx = new DockerFixtures();
  const held: net.Socket[] = [];
  let web = '';
  let pid = 0;
  let ip = '';

  beforeAll(async () => {
    await ensureBusyboxImages();
    // httpd on 0.0.0.0:80 (tcp), 127.0.0.1:8080 (tcp) and :: port 5432 (tcp6), each forked into the background.
    web = await fx.runContainer('busy', [], BUSYBOX_IMAGE, ['sh', '-c', 'httpd -p 0.0.0.0:80; httpd -p 127.0.0.1:8080; httpd -p 5432; exec sleep 3600']);
    await untilListening(web, 5432);
    const info = await inspect<{ State: { Pid: number }; NetworkSettings: { IPAddress: string } }>(web);
    pid = info.State.Pid;
    ip = info.NetworkSettings.IPAddress;
  }, 120_000);

  afterAll(async () => {
    for (const s of held) s.destroy();
    await fx.cleanup();
  }, 60_000);

  const connect = (port: number) =>
    new Promise<void>((resolve, reject) => {
      const s = net.connect({ host: ip, port }, () => resolve());
      s.on('error', reject);
      held.push(s);
    });
  // In port order, as the reader answers.
  const tcpPorts = async () => (await listeningSockets({ pid })).sockets.filter((s) => s.protocol === 'tcp').map((s) => `${s.address}:${s.port}`);

  it('finds every listener, and no connection, with established rows after them; a listener opened later is found too', async () => {
    await Promise.all([connect(80), connect(80), connect(5432)]);
    // The connections are in the namespace's tables (httpd's children hold them, waiting for a request).
    expect((await docker('exec', web, 'cat', '/proc/net/tcp', '/proc/net/tcp6')).split('\n').filter((l) => / 01 /.test(l)).length).toBeGreaterThanOrEqual(3);
    expect(await tcpPorts()).toEqual(['0.0.0.0:80', ':::5432', '127.0.0.1:8080']);

    await docker('exec', '-d', web, 'httpd', '-p', '0.0.0.0:9090');
    await untilListening(web, 9090);
    expect(await tcpPorts()).toEqual(['0.0.0.0:80', ':::5432', '127.0.0.1:8080', '0.0.0.0:9090']);
  });
});

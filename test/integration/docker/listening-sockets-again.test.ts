/**
 * The socket reader of a namespace read twice in a row, as an agent answering questions does: the second
 * read walks the processes the first found (checked again) instead of all of /proc, and must still find
 * a socket a new process opened in between, with that process as its holder. The container is on a
 * user-defined network of this test, so its namespace also holds Docker's embedded DNS listeners, whose
 * sockets belong to dockerd (another namespace): known to have no holder here, they stay unowned.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { listeningSockets } from '../../../src/sources/listening-sockets.js';
import { describeNeeding, DOCKER } from '../../support/backends.js';
import { BUSYBOX_IMAGE, DockerFixtures, docker, ensureBusyboxImages, inspect, untilListening } from '../../support/docker-fixtures.js';

describeNeeding(DOCKER, 'listening sockets read again: the namespace\'s processes from the last walk first', () => {
  const fx = new DockerFixtures();
  let web = '';
  let pid = 0;

  beforeAll(async () => {
    await ensureBusyboxImages();
    const net = await fx.createNetwork('sockets-again');
    web = await fx.runContainer('web', ['--network', net.name], BUSYBOX_IMAGE, ['httpd', '-f', '-p', '8080']);
    await untilListening(web, 8080);
    pid = (await inspect<{ State: { Pid: number } }>(web)).State.Pid;
  }, 120_000);

  afterAll(() => fx.cleanup(), 60_000);

  const tcp = (r: Awaited<ReturnType<typeof listeningSockets>>, port: number) => r.sockets.find((s) => s.protocol === 'tcp' && s.port === port);

  it('the same answer twice; a server started in between is found with its own process, and Docker\'s DNS sockets stay unowned', async () => {
    const first = await listeningSockets({ pid });
    const again = await listeningSockets({ pid });
    expect(again.sockets).toEqual(first.sockets);
    expect(tcp(again, 8080)?.process).toEqual({ pid, command: 'httpd' });
    // Docker's embedded resolver listens on 127.0.0.11 in this namespace; dockerd, outside it, holds the socket.
    const dns = again.sockets.filter((s) => s.address === '127.0.0.11');
    expect(dns.length).toBeGreaterThan(0);
    expect(dns.every((s) => s.process === undefined)).toBe(true);

    await docker('exec', '-d', web, 'httpd', '-f', '-p', '9090');
    await untilListening(web, 9090);
    const later = await listeningSockets({ pid });
    const second = tcp(later, 9090);
    expect(second?.process?.command).toBe('httpd');
    expect(second?.process?.pid).not.toBe(pid);
    expect(tcp(later, 8080)?.process).toEqual({ pid, command: 'httpd' });
  });
});

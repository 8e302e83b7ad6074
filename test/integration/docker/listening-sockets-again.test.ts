/**
 * The socket reader of a namespace read twice in a row, as an agent answering questions does: the second
 * read walks the processes the first found (checked again) instead of all of /proc, and must still find
 * a socket a new process opened in between, with that process as its holder. The container is on a
 * user-defined network of this test, so its namespace also holds Docker's embedded DNS listeners, whose
 * sockets belong to dockerd (another namespace): known to have no holder here, they stay unowned.
 * However old the last walk, its processes answer while they hold every listener (a read an hour later,
 * by the reader's clock, does not walk /proc: a process started since is not counted); only a walk with
 * unowned sockets expires, and sends the read back to /proc.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { listeningSockets } from '../../../src/sources/listening-sockets.js';
import { describeNeeding, DOCKER } from '../../support/backends.js';
import { BUSYBOX_IMAGE, DockerFixtures, docker, ensureBusyboxImages, inspect, untilListening } from '../../support/docker-fixtures.js';

describeNeeding(DOCKER, 'listening sockets read again: the namespace\'s processes from the last walk first', () => {
  const fx = new DockerFixtures();
  let web = '';
  let pid = 0;
  let plain = '';
  let plainPid = 0;

  beforeAll(async () => {
    await ensureBusyboxImages();
    const net = await fx.createNetwork('sockets-again');
    web = await fx.runContainer('web', ['--network', net.name], BUSYBOX_IMAGE, ['httpd', '-f', '-p', '8080']);
    await untilListening(web, 8080);
    pid = (await inspect<{ State: { Pid: number } }>(web)).State.Pid;
    // Docker's default bridge: no embedded DNS, so every listener of the namespace has a holder in it.
    // httpd without -f forks into the background: the holder is not the container's first process.
    plain = await fx.runContainer('plain', [], BUSYBOX_IMAGE, ['sh', '-c', 'httpd -p 8080; exec sleep 3600']);
    await untilListening(plain, 8080);
    plainPid = (await inspect<{ State: { Pid: number } }>(plain)).State.Pid;
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

  it('an hour after the last walk its processes still answer while they hold every listener; unowned sockets send the read back to /proc', async () => {
    const anHourLater = () => Date.now() + 3_600_000;
    const first = await listeningSockets({ pid: plainPid });
    const holder = tcp(first, 8080)?.process;
    expect(holder?.command).toBe('httpd');
    expect(holder?.pid).not.toBe(plainPid);
    expect(first.processes).toBe(2); // sleep (the container's first process) and httpd

    // A process more in the namespace, holding no socket: a walk of /proc would count it.
    await docker('exec', '-d', plain, 'sleep', '3600');
    const later = await listeningSockets({ pid: plainPid }, { clock: anHourLater });
    expect(later.sockets).toEqual(first.sockets);
    expect(tcp(later, 8080)?.process).toEqual(holder);
    expect(later.processes).toBe(2);

    // web's namespace has Docker's DNS sockets, which nothing in it holds: an hour on, that is not believed any more.
    const before = await listeningSockets({ pid });
    await docker('exec', '-d', web, 'sleep', '3600');
    expect((await listeningSockets({ pid })).processes).toBe(before.processes);
    const walked = await listeningSockets({ pid }, { clock: anHourLater });
    expect(walked.processes).toBe(before.processes + 1);
    expect(walked.sockets.filter((s) => s.address === '127.0.0.11').every((s) => s.process === undefined)).toBe(true);
  });
});

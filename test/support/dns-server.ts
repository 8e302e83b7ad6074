/**
 * A tiny authoritative DNS server for tests (UDP, A records only): the resolver a test runs on an address
 * of its own (a Docker network's gateway on this host), so a workload's queries go to something the test
 * controls and records. Known names answer their A records (NOERROR without records for other types),
 * unknown names get NXDOMAIN, names in `drop` get no reply at all (the timeout case). Each query is
 * recorded with its source address, so a test can tell a query from inside a namespace from the host's.
 */
import { createSocket, type RemoteInfo } from 'node:dgram';

export interface DnsServerOptions {
  /** Address to bind (port 53: resolv.conf has no port). */
  host: string;
  /** Fully qualified names (trailing dot) → IPv4 answers. */
  records: Record<string, string[]>;
  /** Names never answered. */
  drop?: string[];
}

export interface TestDnsServer {
  /** Every query seen, in order: the name asked (trailing dot, lower case), its type number, and who asked. */
  queries: { name: string; type: number; from: string }[];
  close(): Promise<void>;
}

const NXDOMAIN = 3;

function readName(msg: Buffer, offset: number): { name: string; end: number } {
  const labels: string[] = [];
  let i = offset;
  while (i < msg.length && msg[i] !== 0) {
    const len = msg[i]!;
    labels.push(msg.subarray(i + 1, i + 1 + len).toString('ascii'));
    i += 1 + len;
  }
  return { name: `${labels.join('.')}.`.toLowerCase(), end: i + 1 };
}

function reply(query: Buffer, questionEnd: number, rcode: number, addresses: string[]): Buffer {
  const header = Buffer.alloc(12);
  query.copy(header, 0, 0, 2); // id
  const rd = query[2]! & 0x01;
  header[2] = 0x84 | rd; // QR, AA, RD as asked
  header[3] = 0x80 | rcode; // RA
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(addresses.length, 6);
  const answers = addresses.map((ip) => {
    const rr = Buffer.alloc(16);
    rr.writeUInt16BE(0xc00c, 0); // pointer to the question's name
    rr.writeUInt16BE(1, 2); // A
    rr.writeUInt16BE(1, 4); // IN
    rr.writeUInt32BE(5, 6); // TTL
    rr.writeUInt16BE(4, 10);
    ip.split('.').forEach((o, k) => (rr[12 + k] = Number(o)));
    return rr;
  });
  return Buffer.concat([header, query.subarray(12, questionEnd), ...answers]);
}

export async function startDnsServer(o: DnsServerOptions): Promise<TestDnsServer> {
  const socket = createSocket('udp4');
  const queries: TestDnsServer['queries'] = [];
  const drop = new Set(o.drop ?? []);
  socket.on('message', (msg: Buffer, peer: RemoteInfo) => {
    if (msg.length < 17) return;
    const { name, end } = readName(msg, 12);
    const type = msg.readUInt16BE(end);
    queries.push({ name, type, from: peer.address });
    if (drop.has(name)) return;
    const known = o.records[name];
    const out = known ? reply(msg, end + 4, 0, type === 1 ? known : []) : reply(msg, end + 4, NXDOMAIN, []);
    socket.send(out, peer.port, peer.address);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(53, o.host, () => resolve());
  });
  return { queries, close: () => new Promise((r) => socket.close(() => r())) };
}

import { describe, expect, it } from 'vitest';
import type { OwnedSocket } from '../../../src/net/proc-sockets.js';
import { attachOwners, dedupeSockets, parseSocketTable, parseSocketTables, socketInodeFromLink, socketsInUse, TableScan, tablesInUse } from '../../../src/net/proc-sockets.js';

// Lines in the exact layout the kernel prints (captured from /proc/<pid>/net/* on this machine's kernel).
const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 40001 1 00000000c05ee563 100 0 0 10 0
   1: 00000000:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 40002 1 00000000c05ee563 100 0 0 10 0
   2: 0300140A:0050 0200140A:D431 01 00000000:00000000 02:000AFC6A 00000000     0        0 40003 2 00000000c05ee563 20 4 30 10 -1
   3: 0300140A:1538 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 40004 1 00000000c05ee563 100 0 0 10 0
`;
const TCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000000000000:1F91 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 50001 1 0000000000000000 100 0 0 10 0
   1: 00000000000000000000000001000000:0277 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 50002 1 0000000000000000 100 0 0 10 0
   2: 0000000000000000FFFF00000100007F:0017 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 50003 1 0000000000000000 100 0 0 10 0
   3: B80D0120000000000000000001000000:01BB 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 50004 1 0000000000000000 100 0 0 10 0
`;
const UDP = `   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
  100: 0B00007F:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 60001 2 0000000000000000 0
  101: 00000000:14E9 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 60002 2 0000000000000000 0
  102: 0300140A:A1B2 0B00007F:0035 01 00000000:00000000 00:00000000 00000000     0        0 60003 2 0000000000000000 0
`;

describe('parseSocketTable', () => {
  it('keeps TCP sockets in LISTEN with their IPv4 address, port and inode, and drops established ones', () => {
    expect(parseSocketTable('tcp', TCP)).toEqual([
      { protocol: 'tcp', family: 'ipv4', address: '127.0.0.1', port: 8080, inode: 40001 },
      { protocol: 'tcp', family: 'ipv4', address: '0.0.0.0', port: 80, inode: 40002 },
      { protocol: 'tcp', family: 'ipv4', address: '10.20.0.3', port: 5432, inode: 40004 },
    ]);
  });

  it('reads IPv6 words in host byte order: ::, ::1, v4-mapped and a global address', () => {
    expect(parseSocketTable('tcp6', TCP6).map((s) => [s.address, s.port])).toEqual([
      ['::', 8081], ['::1', 631], ['::ffff:127.0.0.1', 23], ['2001:db8::1', 443],
    ]);
  });

  it('keeps bound, unconnected UDP sockets (Docker 127.0.0.11-style resolver, a wildcard one) and drops connected ones', () => {
    expect(parseSocketTable('udp', UDP)).toEqual([
      { protocol: 'udp', family: 'ipv4', address: '127.0.0.11', port: 53, inode: 60001 },
      { protocol: 'udp', family: 'ipv4', address: '0.0.0.0', port: 5353, inode: 60002 },
    ]);
  });

  it('skips the header, blank and malformed lines instead of failing the whole table', () => {
    expect(parseSocketTable('tcp', 'garbage\n   9: ZZ:1 00000000:0000 0A x\n\n')).toEqual([]);
  });

  it('reads every table given and tolerates a missing one (IPv6 disabled)', () => {
    const all = parseSocketTables({ tcp: TCP, udp: UDP });
    expect(all.map((s) => `${s.protocol}/${s.port}`)).toEqual(['tcp/8080', 'tcp/80', 'tcp/5432', 'udp/53', 'udp/5353']);
  });
});

describe('socket ownership', () => {
  it('reads the inode out of a /proc/<pid>/fd link and ignores other links', () => {
    expect(socketInodeFromLink('socket:[40001]')).toBe(40001);
    expect(socketInodeFromLink('pipe:[40001]')).toBeUndefined();
    expect(socketInodeFromLink('/dev/null')).toBeUndefined();
  });

  it('names the process and container holding each inode, the lowest pid when workers share it', () => {
    const sockets = parseSocketTable('tcp', TCP);
    const owned = attachOwners(sockets, [
      { pid: 31, command: 'nginx', container: 'web', inodes: [40002] },
      { pid: 7, command: 'nginx', container: 'web', inodes: [40002, 9] },
      { pid: 12, command: 'httpd', container: 'sidecar', inodes: [40001] },
    ]);
    expect(owned.find((s) => s.port === 80)).toMatchObject({ process: { pid: 7, command: 'nginx' }, container: 'web' });
    expect(owned.find((s) => s.port === 8080)).toMatchObject({ process: { pid: 12, command: 'httpd' }, container: 'sidecar' });
    expect(owned.find((s) => s.port === 5432)?.process).toBeUndefined();
  });

  it('lists each protocol/address/port once, in port order, preferring the entry with an owner', () => {
    const s: OwnedSocket = { protocol: 'tcp', family: 'ipv4', address: '0.0.0.0', port: 80, inode: 1 };
    const out = dedupeSockets([{ ...s, port: 443 }, s, { ...s, inode: 2, process: { pid: 3, command: 'x' } }]);
    expect(out.map((o) => [o.port, o.process?.pid])).toEqual([[80, 3], [443, undefined]]);
  });
});

describe('tablesInUse (sockstat)', () => {
  // What a container listening on :: only shows: its own inuse counts, the host's other figures.
  const sockstat = 'sockets: used 2\nTCP: inuse 0 orphan 8 tw 0 alloc 11 mem 183\nUDP: inuse 0 mem 0\nUDPLITE: inuse 0\nRAW: inuse 0\nFRAG: inuse 0 memory 0\n';
  const sockstat6 = 'TCP6: inuse 1\nUDP6: inuse 0\nUDPLITE6: inuse 0\nRAW6: inuse 0\nFRAG6: inuse 0 memory 0\n';

  it('keeps only the tables whose protocol has sockets in use in the namespace', () => {
    expect(tablesInUse(socketsInUse(sockstat, sockstat6))).toEqual(['tcp6']);
    expect(tablesInUse(socketsInUse(sockstat.replace('UDP: inuse 0', 'UDP: inuse 2'), sockstat6))).toEqual(['tcp6', 'udp']);
  });

  it('reads a table whose count is missing or unreadable: when unsure, read', () => {
    expect(tablesInUse(socketsInUse(sockstat, undefined))).toEqual(['tcp6', 'udp6']);
    expect(tablesInUse(socketsInUse('garbage', undefined))).toEqual(['tcp', 'tcp6', 'udp', 'udp6']);
  });
});

describe('TableScan: stop reading once every listener is printed', () => {
  // Captured from /proc/<pid>/net/tcp of a busybox container on this machine (kernel 6.18): httpd on
  // 0.0.0.0:80 and 127.0.0.1:8080, two connections from the host to port 80. The kernel prints its
  // listening hash first and pads each row to 149 characters; its sockstat said "TCP: inuse 4".
  const row = (text: string) => `${text.padEnd(149)}\n`;
  const REAL_TCP = [
    '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
    '   0: 00000000:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 147022 1 00000000df374984 100 0 0 10 0',
    '   1: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 147026 1 00000000e0d6cf73 100 0 0 10 0',
    '   2: 020011AC:0050 010011AC:8838 01 00000000:00000000 02:000AFC6C 00000000     0        0 147023 2 000000004da6f3d3 20 0 0 10 -1',
    '   3: 020011AC:0050 010011AC:8844 01 00000000:00000000 02:000AFC6C 00000000     0        0 147984 2 0000000067b72008 20 0 0 10 -1',
  ].map(row);
  // The same container's tcp6 while idle: one listener on :: port 5432, "TCP6: inuse 1".
  const REAL_TCP6_IDLE = [
    '  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n',
    '   0: 00000000000000000000000000000000:1538 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 147028 1 00000000b4f6163d 100 0 0 10 0\n',
  ];
  const REAL_SOCKSTAT = 'sockets: used 7\nTCP: inuse 4 orphan 0 tw 0 alloc 11 mem 147\nUDP: inuse 0 mem 0\nUDPLITE: inuse 0\nRAW: inuse 0\nFRAG: inuse 0 memory 0\n';

  /** Feeds `rows` one chunk each, as small reads return them; the rows read when the scan said stop. */
  const readUntilStop = (scan: TableScan, rows: string[]) => {
    const read: string[] = [];
    for (const r of rows) {
      read.push(r);
      if (scan.add(r)) return { stopped: true, text: read.join('') };
    }
    return { stopped: false, text: read.join('') };
  };

  it('stops at the first established row after the listeners, with both listeners read and nothing of the established hash', () => {
    // Without a count, only the state rule can stop it: at the first row that is not LISTEN.
    const r = readUntilStop(new TableScan('tcp'), REAL_TCP);
    expect(r.stopped).toBe(true);
    expect(r.text).toBe(REAL_TCP.slice(0, 4).join(''));
    expect(parseSocketTable('tcp', r.text).map((s) => `${s.address}:${s.port}`)).toEqual(['0.0.0.0:80', '127.0.0.1:8080']);
  });

  it('the whole table in one chunk (one read): done', () => {
    expect(new TableScan('tcp').add(REAL_TCP.join(''))).toBe(true);
  });

  it('an idle namespace (no row after its listeners): stops once the listeners reach sockstat\'s count, else reads to the end', () => {
    const inuse = socketsInUse(REAL_SOCKSTAT, 'TCP6: inuse 1\nUDP6: inuse 0\n');
    expect(readUntilStop(new TableScan('tcp6', inuse.tcp6), REAL_TCP6_IDLE)).toEqual({ stopped: true, text: REAL_TCP6_IDLE.join('') });
    // A second socket counted but not printed yet (a listener still coming): keep reading.
    expect(readUntilStop(new TableScan('tcp6', 2), REAL_TCP6_IDLE).stopped).toBe(false);
    // No count at all: only the end of the file says the listeners are complete.
    expect(readUntilStop(new TableScan('tcp6'), REAL_TCP6_IDLE).stopped).toBe(false);
  });

  it('judges only whole rows: a row cut mid-way by a read is judged when its end arrives', () => {
    const scan = new TableScan('tcp');
    const [header, l1, l2, established] = REAL_TCP;
    expect(scan.add(header! + l1! + l2! + established!.slice(0, 30))).toBe(false);
    expect(scan.add(established!.slice(30))).toBe(true);
  });

  it('UDP has no listening section: it stops only when as many rows as sockstat counts were printed, connected ones included', () => {
    const rows = UDP.split(/(?<=\n)/);
    expect(readUntilStop(new TableScan('udp', 3), rows)).toEqual({ stopped: true, text: UDP });
    expect(readUntilStop(new TableScan('udp', 4), rows).stopped).toBe(false);
    // A connected UDP socket is not the end of anything.
    expect(readUntilStop(new TableScan('udp'), rows).stopped).toBe(false);
  });
});

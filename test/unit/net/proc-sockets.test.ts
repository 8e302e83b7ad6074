import { describe, expect, it } from 'vitest';
import type { OwnedSocket } from '../../../src/net/proc-sockets.js';
import { attachOwners, dedupeSockets, parseSocketTable, parseSocketTables, socketInodeFromLink, tablesInUse } from '../../../src/net/proc-sockets.js';

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
    expect(tablesInUse(sockstat, sockstat6)).toEqual(['tcp6']);
    expect(tablesInUse(sockstat.replace('UDP: inuse 0', 'UDP: inuse 2'), sockstat6)).toEqual(['tcp6', 'udp']);
  });

  it('reads a table whose count is missing or unreadable: when unsure, read', () => {
    expect(tablesInUse(sockstat, undefined)).toEqual(['tcp6', 'udp6']);
    expect(tablesInUse('garbage', undefined)).toEqual(['tcp', 'tcp6', 'udp', 'udp6']);
  });
});

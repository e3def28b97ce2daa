// Sessions a server still holds, seen from outside through /proc: its socket descriptors that are neither a
// listener nor an HTTP connection. Counted when every fuzz client has gone, any left is a session held after
// its client went (a connection closed by a reset leaves the kernel's table at once, but the descriptor stays
// until the server closes it, so the descriptors are what is counted, not the TCP table).
import { readdirSync, readFileSync, readlinkSync } from "node:fs";

interface TcpSocket {
  localPort: number;
  /** The kernel's state number: 0A is LISTEN, 01 ESTABLISHED, 08 CLOSE_WAIT. */
  state: string;
}

const STATE_NAMES: Record<string, string> = {
  "01": "ESTABLISHED",
  "02": "SYN_SENT",
  "03": "SYN_RECV",
  "04": "FIN_WAIT1",
  "05": "FIN_WAIT2",
  "06": "TIME_WAIT",
  "07": "CLOSE",
  "08": "CLOSE_WAIT",
  "09": "LAST_ACK",
  "0A": "LISTEN",
  "0B": "CLOSING",
};

function tcpTable(): Map<string, TcpSocket> {
  const table = new Map<string, TcpSocket>();
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10) continue;
      table.set(f[9], { localPort: parseInt(f[1].split(":")[1], 16), state: f[3] });
    }
  }
  return table;
}

export interface SocketCount {
  /** Socket descriptors that are not listeners and not on the HTTP port. */
  sessions: number;
  /** Those by TCP state ("gone" when the kernel dropped the connection but the descriptor is open). */
  byState: Record<string, number>;
}

export function countSessionSockets(pid: number, httpPort: number): SocketCount {
  const table = tcpTable();
  const byState: Record<string, number> = {};
  let sessions = 0;
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return { sessions: 0, byState };
  }
  for (const fd of fds) {
    let target: string;
    try {
      target = readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      continue; // closed while being read
    }
    const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
    if (!inode) continue;
    const tcp = table.get(inode);
    if (tcp && (tcp.state === "0A" || tcp.localPort === httpPort)) continue;
    const state = tcp ? (STATE_NAMES[tcp.state] ?? tcp.state) : "gone";
    byState[state] = (byState[state] ?? 0) + 1;
    sessions++;
  }
  return { sessions, byState };
}

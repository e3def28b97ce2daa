// Plays one mutated session over a real socket: writes its steps (waiting for a reply after those that ask),
// leaves the way the session says, and returns every byte the server sent and how the connection ended.
import net from "node:net";
import type { FuzzSession } from "../../support/fuzz.js";

export interface PlayLimits {
  /** How long the client waits for the greeting before it talks anyway (then an early talker). */
  greetingWaitMs: number;
  /** How long a lockstep step waits for a reply before the client goes on (a command may have none). */
  replyWaitMs: number;
  /** How long a client that half-closed waits for the server to close; longer counts as not ended. */
  halfCloseWaitMs: number;
  /** How long a "wait" client gives the server to close (after its QUIT has run) before it vanishes itself. */
  lingerMs: number;
}

export interface Played {
  replies: Buffer;
  /** The connection could not be opened or was reset before the greeting: the server is not accepting. */
  refused: boolean;
  /** Half-closed by the client, and the server did not close within halfCloseWaitMs. */
  notEnded: boolean;
}

/** `finals(replies)` counts complete replies, so that a lockstep step knows its answer came. */
export async function play(
  port: number,
  session: FuzzSession,
  finals: (replies: Buffer) => number,
  limits: PlayLimits,
): Promise<Played> {
  const socket = net.connect(port, "127.0.0.1");
  const received: Buffer[] = [];
  let wake: (() => void) | null = null;
  const poke = () => wake?.();
  const closed = new Promise<void>((resolve) => socket.once("close", () => (poke(), resolve())));
  let failed = false;
  socket.on("error", () => (failed = true));
  socket.on("data", (d: Buffer) => (received.push(d), poke()));
  socket.on("drain", poke);
  const connected = await new Promise<boolean>((resolve) => {
    socket.once("connect", () => resolve(true));
    void closed.then(() => resolve(false));
  });
  if (!connected) return { replies: Buffer.alloc(0), refused: true, notEnded: false };

  /** Resolves when `done()` holds, the socket closes, or `ms` pass; true when done() held. */
  const until = async (done: () => boolean, ms: number): Promise<boolean> => {
    const deadline = Date.now() + ms;
    while (!done() && !socket.destroyed) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        wake = () => (clearTimeout(timer), resolve());
      });
      wake = null;
    }
    return done();
  };
  const all = () => Buffer.concat(received);

  // The greeting comes first for both protocols; a client that does not wait for it is a mutation of its own.
  await until(() => finals(all()) >= 1, limits.greetingWaitMs);
  let lockstep = true;
  for (const step of session.steps) {
    const before = finals(all());
    for (const chunk of step.chunks) {
      if (socket.destroyed) break;
      if (!socket.write(chunk)) await until(() => socket.writableLength === 0, limits.replyWaitMs);
    }
    // A server in DATA mode answers nothing per line: after one silent step, the rest goes without waiting.
    if (step.awaitReply && lockstep && !(await until(() => finals(all()) > before, limits.replyWaitMs)))
      lockstep = false;
  }

  let notEnded = false;
  if (session.leave === "destroy") socket.destroy();
  else if (session.leave === "end") {
    socket.end();
    await until(() => false, limits.halfCloseWaitMs);
    notEnded = !socket.destroyed;
    socket.destroy();
  } else {
    await until(() => false, limits.lingerMs);
    socket.destroy();
  }
  await closed;
  return { replies: all(), refused: failed && received.length === 0, notEnded };
}

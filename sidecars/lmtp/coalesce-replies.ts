import type { Socket } from "node:net";

/**
 * Gathers the replies written while one chunk of client input is handled into one socket write. A pipelining
 * client sends MAIL FROM, RCPT TO and DATA in one packet; smtp-server answers each as it goes (the recipient check
 * resolves within the same turn), so without this each reply is its own write system call and wakes the client
 * once more. The socket is corked when input arrives and uncorked once the turn's callbacks have run; a reply
 * written later (the final 250s after the commit is on disk) goes out at once, since nothing is corked then.
 */
export function coalesceReplies(socket: Socket): void {
  socket.prependListener("data", () => {
    socket.cork();
    setImmediate(() => socket.uncork());
  });
}

import net from "node:net";
import { once } from "node:events";
import { afterEach, describe, expect, it } from "vitest";
import { coalesceReplies } from "./coalesce-replies.js";

describe("coalesceReplies", () => {
  const open: net.Socket[] = [];
  let server: net.Server | undefined;
  afterEach(async () => {
    for (const s of open) s.destroy();
    if (server) await new Promise((resolve) => server!.close(resolve));
  });

  it("holds the replies written while a chunk of input is handled, and sends them in one write once the turn ends", async () => {
    server = net.createServer();
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const accepted = once(server, "connection");
    const client = net.connect((server.address() as net.AddressInfo).port, "127.0.0.1");
    open.push(client);
    const [socket] = (await accepted) as [net.Socket];
    open.push(socket);
    coalesceReplies(socket);
    const seen: Array<{ corked: number; pending: number }> = [];
    socket.on("data", () => {
      socket.write("250 a\r\n");
      // A reply from a promise that settles in the same turn (the recipient check) joins the same write.
      void Promise.resolve().then(() => {
        socket.write("250 b\r\n");
        seen.push({ corked: socket.writableCorked, pending: socket.writableLength });
      });
    });
    const received: string[] = [];
    client.on("data", (chunk: Buffer) => received.push(chunk.toString()));
    client.write("MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\n");
    while (received.join("").length < 14) await once(client, "data");
    // Both were still held when the second was written, and left together afterwards.
    expect(seen).toEqual([{ corked: 1, pending: 14 }]);
    expect(socket.writableCorked).toBe(0);
    expect(received.join("")).toBe("250 a\r\n250 b\r\n");
    // Outside a turn of input nothing is held: a later reply (the final 250 after the commit) goes at once.
    socket.write("250 c\r\n");
    expect(socket.writableCorked).toBe(0);
    expect(socket.writableLength).toBe(0);
  });
});

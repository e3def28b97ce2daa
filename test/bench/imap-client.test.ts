// The benchmark's raw IMAP client reads literals however the bytes are split, and fails on a NO.
import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { ImapClient, type ImapResponse } from "../../bench/lib/imap-client.js";

const servers: net.Server[] = [];
afterEach(() => Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r)))));

/** A server that greets, then answers each command line with `answer(tag, line)` written in small pieces. */
async function fakeServer(answer: (tag: string, line: string) => Buffer): Promise<number> {
  const server = net.createServer((socket) => {
    socket.write("* OK fake\r\n");
    let pending = "";
    socket.on("data", (chunk) => {
      pending += chunk.toString("latin1");
      for (let eol = pending.indexOf("\r\n"); eol >= 0; eol = pending.indexOf("\r\n")) {
        const line = pending.slice(0, eol);
        pending = pending.slice(eol + 2);
        const bytes = answer(line.split(" ")[0], line);
        // Three bytes at a time, so literals and lines end up split across reads.
        for (let i = 0; i < bytes.length; i += 3) socket.write(bytes.subarray(i, i + 3));
      }
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return (server.address() as net.AddressInfo).port;
}

describe("bench IMAP client", () => {
  it("reads each response's literals apart from its text, an empty one too", async () => {
    const body = Buffer.from("Subject: x\r\n\r\n{5}\r\nline\r\n", "latin1");
    const port = await fakeServer((tag) =>
      Buffer.concat([
        Buffer.from(`* 1 FETCH (BODY[] {${body.length}}\r\n`),
        body,
        Buffer.from(")\r\n* 2 FETCH (BODY[] {0}\r\n)\r\n"),
        Buffer.from(`${tag} OK done\r\n`),
      ]),
    );
    const client = await ImapClient.connect(port);
    const seen: ImapResponse[] = [];
    const result = await client.command("FETCH 1:2 (BODY.PEEK[])", (r) => seen.push(r));
    client.close();
    expect(result.status).toBe("OK");
    expect(seen.map((r) => r.text)).toEqual([
      `* 1 FETCH (BODY[] {${body.length}})`,
      "* 2 FETCH (BODY[] {0})",
    ]);
    expect(seen[0].literals[0].equals(body)).toBe(true);
    expect(seen[1].literals[0].length).toBe(0);
  });

  it("throws on a tagged NO, quoting it", async () => {
    const port = await fakeServer((tag) => Buffer.from(`${tag} NO [AUTHENTICATIONFAILED] nope\r\n`));
    const client = await ImapClient.connect(port);
    await expect(client.login("a", "b")).rejects.toThrow(/NO \[AUTHENTICATIONFAILED\] nope/);
    client.close();
  });
});

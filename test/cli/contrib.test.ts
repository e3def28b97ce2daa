// contrib/watch-mailbox.mjs is the README's subscription example: run as the README says (TOKEN, MAILBOX,
// SINCE, the ws:// URL), against a real Eider, it must print the change as a JSON line.
import { spawn } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { messageWithAttachment } from "../api/fixtures.js";
import { createUser, gqlOk, startTestEider, upload, type TestEider } from "../harness/eider.js";
import { REPO } from "./ensure-build.js";

let server: TestEider;
beforeAll(async () => {
  server = await startTestEider();
});
afterAll(async () => server?.stop());

describe("contrib/watch-mailbox.mjs", () => {
  it("replays from a state and prints each change of the mailbox as one JSON line", async () => {
    const user = await createUser(server.url, "walt");
    const { me } = await gqlOk(server.url, `{ me { state } }`, {}, user.token);
    const uploaded = await upload(
      server.url,
      user,
      messageWithAttachment(Buffer.from("x"), { subject: "watched" }),
    );
    const id = uploaded.data!.uploadMessage.id as string;

    const child = spawn(
      process.execPath,
      [path.join(REPO, "contrib/watch-mailbox.mjs"), `${server.url.replace("http", "ws")}/graphql`],
      {
        cwd: REPO,
        env: { PATH: process.env.PATH ?? "", TOKEN: user.token, MAILBOX: user.inbox, SINCE: me.state },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stdout = "";
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const firstLine = await new Promise<string>((resolve, reject) => {
      const limit = setTimeout(() => reject(new Error(`no event within 30 s; stderr: ${stderr}`)), 30_000);
      child.stdout.on("data", (d: Buffer) => {
        stdout += d.toString();
        if (stdout.includes("\n")) {
          clearTimeout(limit);
          resolve(stdout.slice(0, stdout.indexOf("\n")));
        }
      });
      child.once("exit", (code) =>
        reject(new Error(`exited with ${code} before an event; stderr: ${stderr}`)),
      );
    });
    child.kill("SIGTERM");
    expect(JSON.parse(firstLine)).toMatchObject({ type: "NEW", messageId: id, uid: 1 });
  });

  it("says what went wrong, and exits 1, when the token is refused", async () => {
    const user = await createUser(server.url, "wendy");
    const child = spawn(
      process.execPath,
      [path.join(REPO, "contrib/watch-mailbox.mjs"), `${server.url.replace("http", "ws")}/graphql`],
      { cwd: REPO, env: { PATH: process.env.PATH ?? "", TOKEN: "wrong", MAILBOX: user.inbox } },
    );
    let stderr = "";
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    expect(code).toBe(1);
    expect(stderr).toBe("UNAUTHENTICATED: The bearer token is unknown or has expired; log in again.\n");
  });
});

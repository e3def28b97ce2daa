// Stopping the POP3 listener waits for commands still running for sessions whose client has gone (a login's
// password check), so that the core is not closed under them: the fuzz run's server logged "pop3 command failed:
// Cannot increment: the bus is closed" at SIGTERM for clients that had left in the middle of a login.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestCore, type TestCore } from "../../../test/harness/core.js";
import { DEFAULT_POP3_LIMITS } from "../protocol/limits.js";
import { startPop3, type Pop3Server } from "../server.js";
import { RawPop3 } from "./poplib.js";

describe("POP3: stopping", () => {
  let t: TestCore;
  let server: Pop3Server;
  const logged: Array<{ level: string; message: string; command?: unknown }> = [];

  beforeAll(async () => {
    t = await openTestCore();
    await t.addUser("leaver");
    server = await startPop3({
      core: t.core,
      host: "127.0.0.1",
      port: 0,
      tlsPort: null,
      listingSize: 250,
      deleAction: "trash",
      trustedNetworks: [],
      limits: DEFAULT_POP3_LIMITS,
      hostname: "eider.test",
      log: (level, fields, message) => logged.push({ level, message, command: fields.command }),
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it("waits for the login of a client that left before its answer, then the core can close", async () => {
    const c = await RawPop3.connect(server.port);
    await c.lines(1);
    c.send("USER leaver\r\nPASS a long secret\r\n");
    expect(await c.lines(1)).toEqual(["+OK Send PASS."]);
    c.close(); // gone while the password is being checked
    await c.closed;
    await server.close();
    // The login finished before close() resolved: its command line is logged, and nothing failed.
    expect(logged.filter((l) => l.message === "pop3 command").map((l) => l.command)).toEqual([
      "USER",
      "PASS",
    ]);
    await t.close();
    expect(logged.filter((l) => l.level === "error")).toEqual([]);
  });
});

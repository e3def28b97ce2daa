// The `eider` command line as an admin (or a provisioning script) uses it: `node bin/eider.js ...` in a child
// process on a data folder, checked by exit status, by what it prints, and by what an Eider running on the
// same data folder then does (GraphQL over a real socket). Doctor's repair is checked in the SQLite file.
import Database from "better-sqlite3";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { messageWithAttachment } from "../api/fixtures.js";
import {
  ADMIN_TOKEN,
  createUser,
  errorCode,
  gql,
  gqlOk,
  startTestEider,
  upload,
  type TestEider,
} from "../harness/eider.js";
import { ensureBuild } from "./ensure-build.js";
import { runEider } from "./run-eider.js";

const LOGIN = `mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token user { id username } } }`;
const ID_PATTERN = /^[0-9a-f]{24}$/;

const tempDirs: string[] = [];
function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

beforeAll(async () => {
  await ensureBuild();
});

afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

describe("CLI: eider user", () => {
  let dataDir: string;
  let env: Record<string, string>;
  let server: TestEider;
  const eider = (...args: string[]) => runEider(args, env);
  const login = (username: string, password: string) => gql(server.url, LOGIN, { u: username, p: password });
  /** Creates a user through `user add --json` and returns its id. */
  const addUser = async (name: string, password: string, ...more: string[]) => {
    const run = await eider("user", "add", name, "--password", password, ...more, "--json");
    expect(run.code, run.stderr).toBe(0);
    return JSON.parse(run.stdout).id as string;
  };

  beforeAll(async () => {
    dataDir = tempDir("eider-cli-");
    env = { EIDER_DATA_DIR: dataDir, EIDER_ADMIN_TOKEN: ADMIN_TOKEN };
    // The commands run while an Eider serves the same data folder, as an admin would run them.
    server = await startTestEider({ dataDir });
  });
  afterAll(async () => server?.stop());

  it("user add says what it created (id, addresses, mailboxes), exits 0, and the user can log in", async () => {
    const run = await eider(
      "user",
      "add",
      "alice",
      "--password",
      "alice-secret-1",
      "--address",
      "alice@example.com",
      "--address",
      "a.liddell@example.org",
      "--quota",
      "2M",
    );
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const [first, addresses, mailboxes, quota] = run.stdout.trim().split("\n");
    const id = /^Created user alice \(id ([0-9a-f]{24})\)\.$/.exec(first)?.[1];
    expect(id).toMatch(ID_PATTERN);
    expect(addresses).toBe("  addresses: alice@example.com, a.liddell@example.org");
    expect(mailboxes).toMatch(/^  mailboxes: .*\bINBOX\b/);
    for (const box of ["Drafts", "Sent Mail", "Trash", "Junk", "Archive"]) expect(mailboxes).toContain(box);
    expect(quota).toBe(`  quota:     ${2 * 1024 * 1024} bytes`);

    const session = await gqlOk(server.url, LOGIN, { u: "alice", p: "alice-secret-1" });
    expect(session.login.user).toEqual({ id, username: "alice" });
    const me = await gqlOk(
      server.url,
      `{ myAddresses { address } mailboxes { path } }`,
      {},
      session.login.token,
    );
    expect(me.myAddresses.map((a: { address: string }) => a.address).sort()).toEqual([
      "a.liddell@example.org",
      "alice@example.com",
    ]);
    expect(me.mailboxes.map((m: { path: string }) => m.path)).toContain("INBOX");
  });

  it("user add refuses a name that already exists with ALREADY_EXISTS and a non-zero exit", async () => {
    const first = await eider("user", "add", "dora", "--password", "dora-secret-1");
    expect(first.code).toBe(0);
    const again = await eider("user", "add", "dora", "--password", "another-secret");
    expect(again.code).not.toBe(0);
    expect(again.stdout).toBe("");
    expect(again.stderr).toMatch(/^ALREADY_EXISTS: User "dora" already exists\./);
    // The first account is untouched: its password still works.
    expect((await login("dora", "dora-secret-1")).errors).toBeUndefined();
  });

  it("user add refuses a password shorter than 8 characters and creates nothing", async () => {
    const run = await eider("user", "add", "eve", "--password", "1234567");
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/^INVALID_INPUT: .*7 characters.*at least 8/);
    expect(run.stdout).toBe("");
    const list = await eider("user", "list");
    expect(list.stdout).not.toMatch(/\teve\t/);
  });

  it("user add without --password exits non-zero and says what is missing", async () => {
    const run = await eider("user", "add", "frank");
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain("--password");
  });

  it("user add --json prints the created user, its addresses and its mailboxes with their ids", async () => {
    const run = await eider(
      "user",
      "add",
      "jill",
      "--password",
      "jill-secret-1",
      "--address",
      "jill@example.com",
      "--json",
    );
    expect(run.code).toBe(0);
    const created = JSON.parse(run.stdout);
    expect(created).toMatchObject({ username: "jill", quotaBytes: 0, addresses: ["jill@example.com"] });
    expect(created.id).toMatch(ID_PATTERN);
    const inbox = created.mailboxes.find((m: { specialUse: string }) => m.specialUse === "\\Inbox");
    expect(inbox).toMatchObject({ path: "INBOX", id: expect.stringMatching(ID_PATTERN) });
    // The printed mailbox id is the one the API knows.
    const session = await gqlOk(server.url, LOGIN, { u: "jill", p: "jill-secret-1" });
    const me = await gqlOk(server.url, `{ mailboxes { id path } }`, {}, session.login.token);
    expect(me.mailboxes).toContainEqual({ id: inbox.id, path: "INBOX" });
  });

  it("user add refuses a --quota that is not a size, with exit 2, and creates nothing", async () => {
    const run = await eider("user", "add", "kim", "--password", "kim-secret-1", "--quota", "lots");
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^--quota takes a number of bytes/);
    expect((await eider("user", "list")).stdout).not.toMatch(/\tkim\t/);
  });

  it("user list prints a header, then one line per user with id, name, state and usage", async () => {
    const id = await addUser("gina", "gina-secret-1");
    const run = await eider("user", "list");
    expect(run.code).toBe(0);
    const [header, ...lines] = run.stdout.trim().split("\n");
    expect(header).toBe("ID\tUSERNAME\tSTATE\tUSED/QUOTA");
    expect(lines).toContain(`${id}\tgina\tactive\t0/unlimited`);
    for (const line of lines)
      expect(line).toMatch(/^[0-9a-f]{24}\t\S+\t(active|disabled)\t\d+\/(\d+|unlimited)$/);
    const json = await eider("user", "list", "--json");
    expect(
      json.stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l)),
    ).toContainEqual({
      id,
      username: "gina",
      state: "active",
      storageUsed: 0,
      quotaBytes: 0,
    });
  });

  it("user passwd, disable, enable and delete exit 0 and take effect on a running Eider", async () => {
    const id = await addUser("carol", "carol-first-pw", "--address", "carol@example.com");
    const before = await gqlOk(server.url, LOGIN, { u: "carol", p: "carol-first-pw" });

    // passwd: the new password works, the old one does not, and the sessions opened before end.
    const passwd = await eider("user", "passwd", "carol", "--password", "carol-second-pw");
    expect(passwd.code).toBe(0);
    expect(passwd.stdout).toBe(`Changed the password of carol (id ${id}).\n`);
    expect(errorCode(await login("carol", "carol-first-pw"))).toBe("AUTH_FAILED");
    expect(errorCode(await gql(server.url, `{ me { id } }`, {}, before.login.token))).toBe("UNAUTHENTICATED");
    const since = await gqlOk(server.url, LOGIN, { u: "carol", p: "carol-second-pw" });

    // disable: no login, and a token issued before is refused too.
    const disable = await eider("user", "disable", "carol");
    expect(disable.code).toBe(0);
    expect(disable.stdout).toMatch(new RegExp(`^Disabled carol \\(id ${id}\\): logins are refused`));
    expect(errorCode(await login("carol", "carol-second-pw"))).toBe("ACCOUNT_DISABLED");
    expect(errorCode(await gql(server.url, `{ me { id } }`, {}, since.login.token))).toBe("UNAUTHENTICATED");
    expect((await eider("user", "list")).stdout).toContain(`${id}\tcarol\tdisabled\t`);

    // enable: logins work again.
    const enable = await eider("user", "enable", "carol");
    expect(enable.code).toBe(0);
    expect(enable.stdout).toBe(`Enabled carol (id ${id}): logins work again.\n`);
    const after = await gqlOk(server.url, LOGIN, { u: "carol", p: "carol-second-pw" });
    expect(after.login.user.id).toBe(id);
    expect((await eider("user", "list")).stdout).toContain(`${id}\tcarol\tactive\t`);

    // delete: without a terminal it is refused unless --yes confirms it.
    const unconfirmed = await eider("user", "delete", "carol");
    expect(unconfirmed.code).not.toBe(0);
    expect(unconfirmed.stderr).toMatch(/^Not deleting carol without a terminal to ask on; add --yes/);
    expect((await login("carol", "carol-second-pw")).errors).toBeUndefined();
    const deleted = await eider("user", "delete", "carol", "--yes");
    expect(deleted.code).toBe(0);
    expect(deleted.stdout).toBe(`Deleted carol (id ${id}) with its mailboxes and messages.\n`);
    expect(errorCode(await login("carol", "carol-second-pw"))).toBe("AUTH_FAILED");
    expect(
      errorCode(await gql(server.url, `query($id: ID!) { user(id: $id) { id } }`, { id }, ADMIN_TOKEN)),
    ).toBe("NOT_FOUND");
    expect(errorCode(await gql(server.url, `{ me { id } }`, {}, after.login.token))).toBe("UNAUTHENTICATED");
    expect((await eider("user", "list")).stdout).not.toContain(id);
    const again = await eider("user", "delete", "carol", "--yes");
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/^NOT_FOUND: User "carol"/);
    // Its address is free again.
    expect(
      (await eider("user", "add", "carol2", "--password", "carol-third-pw", "--address", "carol@example.com"))
        .code,
    ).toBe(0);
  });

  it("user passwd refuses a too-short password and keeps the old one", async () => {
    expect((await eider("user", "add", "hank", "--password", "hank-secret-1")).code).toBe(0);
    const run = await eider("user", "passwd", "hank", "--password", "short");
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/^INVALID_INPUT: /);
    expect((await login("hank", "hank-secret-1")).errors).toBeUndefined();
  });

  it("user commands on a name that does not exist exit non-zero with NOT_FOUND", async () => {
    for (const args of [["disable"], ["enable"], ["delete", "--yes"], ["passwd", "--password=long-enough"]]) {
      const [sub, ...rest] = args;
      const run = await eider("user", sub, "nobody", ...rest);
      expect(run.code, sub).not.toBe(0);
      expect(run.stderr, sub).toMatch(/^NOT_FOUND: User "nobody"/);
    }
  });
});

describe("CLI: usage and configuration errors", () => {
  let env: Record<string, string>;
  beforeAll(() => {
    env = { EIDER_DATA_DIR: tempDir("eider-cli-usage-"), EIDER_ADMIN_TOKEN: ADMIN_TOKEN };
  });

  it("an unknown command exits 2 and prints the usage", async () => {
    const run = await runEider(["frobnicate"], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`Unknown command "frobnicate"`);
    expect(run.stderr).toContain("Usage: eider");
  });

  it("no command at all exits 2 and prints the usage", async () => {
    const run = await runEider([], env);
    expect(run.code).toBe(2);
    expect(run.stdout + run.stderr).toContain("Usage: eider");
  });

  it("an unknown user subcommand exits 2, names it and points to the help", async () => {
    const run = await runEider(["user", "rename", "x"], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`Unknown user command "rename".\nRun "eider user --help" for its usage.\n`);
  });

  it("--config=FILE with an unknown option exits non-zero and names the option and the file", async () => {
    const file = path.join(tempDir("eider-cli-config-"), "eider.toml");
    writeFileSync(file, `[http]\nport = 9099\nlisten_everywhere = true\n`);
    const run = await runEider(["user", "list", `--config=${file}`], env);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain(`Unknown option "http.listen_everywhere"`);
    expect(run.stderr).toContain(file);
  });

  it("--config=FILE with a known option of the wrong type exits non-zero and names it", async () => {
    const file = path.join(tempDir("eider-cli-config-"), "eider.toml");
    writeFileSync(file, `[http]\nport = "eighty"\n`);
    const run = await runEider(["doctor", `--config=${file}`], env);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain(`Option "http.port"`);
  });
});

describe("CLI: eider doctor", () => {
  let dataDir: string;
  let env: Record<string, string>;
  let userId: string;
  const dbFile = () => path.join(dataDir, "eider.sqlite");

  /** Blob references held by the messages, counted from each message's list (what refs must equal). */
  function heldRefs(db: Database.Database): Map<string, number> {
    const held = new Map<string, number>();
    for (const r of db.prepare("SELECT blob_refs FROM messages").all() as Array<{ blob_refs: string }>) {
      for (const hash of JSON.parse(r.blob_refs) as string[]) held.set(hash, (held.get(hash) ?? 0) + 1);
    }
    return held;
  }

  beforeAll(async () => {
    dataDir = tempDir("eider-cli-doctor-");
    env = { EIDER_DATA_DIR: dataDir, EIDER_ADMIN_TOKEN: ADMIN_TOKEN };
    // Two messages sharing one large attachment: one blob with two references.
    const server = await startTestEider({ dataDir });
    try {
      const user = await createUser(server.url, "ivy", ["ivy@unsigned.example", "ivy@mail.signed.example"]);
      await gqlOk(
        server.url,
        `mutation { createDkimKey(input: { domain: "signed.example", selector: "s", algorithm: ED25519_SHA256 }) { domain } }`,
        {},
        ADMIN_TOKEN,
      );
      userId = user.id;
      const attachment = randomBytes(60_000);
      for (const subject of ["first", "second"]) {
        const res = await upload(server.url, user, messageWithAttachment(attachment, { subject }));
        expect(res.errors).toBeUndefined();
      }
    } finally {
      await server.stop();
    }
  });

  it("exits 0 on a healthy store and prints an ok line for config, store and bus", async () => {
    const run = await runEider(["doctor"], env);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split("\n");
    expect(lines.filter((l) => l.startsWith("FAIL"))).toEqual([]);
    expect(lines).toContainEqual(expect.stringMatching(/^ok +config: /));
    expect(lines).toContainEqual(expect.stringMatching(/^ok +store: embedded$/));
    expect(lines).toContainEqual(expect.stringMatching(/^ok +bus: /));
    expect(lines).toContainEqual(
      expect.stringMatching(/^ok +counts: blob reference counts and quota totals are exact/),
    );
    // Informational: unsigned mail is allowed, so it is an ok line that names the domain, not a failure.
    expect(lines).toContainEqual(
      "ok   dkim: no DKIM key for unsigned.example: its mail leaves unsigned (createDkimKey over GraphQL)",
    );
  });

  it("reports a user missing a special-use mailbox and --fix creates it", async () => {
    // What a crash between creating a user and its mailboxes can leave on MongoDB; simulated here.
    const db = new Database(dbFile());
    try {
      db.prepare("DELETE FROM mailboxes WHERE user_id = ? AND special_use = '\\Junk'").run(userId);
    } finally {
      db.close();
    }
    const check = await runEider(["doctor"], env);
    expect(check.code).not.toBe(0);
    expect(check.stdout).toMatch(
      /^FAIL mailboxes: 1 special-use mailboxes are missing; run eider doctor --fix$/m,
    );
    const fix = await runEider(["doctor", "--fix"], env);
    expect(fix.code).toBe(0);
    expect(fix.stdout).toMatch(/^ok +mailboxes: 1 missing special-use mailboxes created$/m);
    const after = new Database(dbFile(), { readonly: true });
    try {
      expect(
        after.prepare("SELECT path FROM mailboxes WHERE user_id = ? AND special_use = '\\Junk'").all(userId),
      ).toEqual([{ path: "Junk" }]);
    } finally {
      after.close();
    }
  });

  it("--fix repairs a blob reference count and a quota total that a crash left wrong", async () => {
    const db = new Database(dbFile());
    let hash: string;
    let expected: number;
    try {
      const held = heldRefs(db);
      expect(held.size).toBe(1);
      [[hash, expected]] = [...held];
      expect(expected).toBe(2);
      expect((db.prepare("SELECT refs FROM blobs WHERE hash = ?").get(hash) as { refs: number }).refs).toBe(
        2,
      );
      // What a crash between the blob write and the message commit (or between steps) can leave behind.
      db.prepare("UPDATE blobs SET refs = refs + 3 WHERE hash = ?").run(hash);
      db.prepare("UPDATE users SET storage_used = storage_used + 4321 WHERE id = ?").run(userId);
    } finally {
      db.close();
    }

    // Without --fix, doctor reports the damage, exits non-zero and changes nothing.
    const check = await runEider(["doctor"], env);
    expect(check.code).not.toBe(0);
    expect(check.stdout).toMatch(
      /^FAIL counts: 1 blob reference counts and 1 quota totals are off; run eider doctor --fix$/m,
    );
    const unchanged = new Database(dbFile(), { readonly: true });
    try {
      expect(
        (unchanged.prepare("SELECT refs FROM blobs WHERE hash = ?").get(hash) as { refs: number }).refs,
      ).toBe(expected + 3);
    } finally {
      unchanged.close();
    }

    const run = await runEider(["doctor", "--fix"], env);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /^ok +repair: 1 blob reference counts fixed, 0 unreferenced blobs removed, 1 quota totals fixed, 0 temp files of interrupted blob writes removed$/m,
    );

    const after = new Database(dbFile(), { readonly: true });
    try {
      expect(
        (after.prepare("SELECT refs FROM blobs WHERE hash = ?").get(hash) as { refs: number }).refs,
      ).toBe(expected);
      const usage = after
        .prepare(
          "SELECT storage_used AS used, (SELECT sum(size) FROM messages WHERE user_id = users.id) AS sum FROM users WHERE id = ?",
        )
        .get(userId) as { used: number; sum: number };
      expect(usage.used).toBe(usage.sum);
    } finally {
      after.close();
    }
    // The blob is still referenced, so its file stays.
    expect(existsSync(path.join(dataDir, "blobs", hash.slice(0, 2), hash.slice(2, 4), hash))).toBe(true);

    // A second run finds nothing left to repair.
    const again = await runEider(["doctor", "--fix"], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(
      /^ok +repair: 0 blob reference counts fixed, 0 unreferenced blobs removed, 0 quota totals fixed, 0 temp files of interrupted blob writes removed$/m,
    );
  });
});

// `eider dkim`: keys made, imported, listed, shown and deleted from the command line while an Eider serves the same
// data folder; what it prints is the record to publish, and GraphQL sees the same keys.
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, gqlOk, startTestEider, type TestEider } from "../harness/eider.js";
import { ensureBuild } from "./ensure-build.js";
import { runEider } from "./run-eider.js";

describe("CLI: eider dkim", () => {
  let dataDir: string;
  let env: Record<string, string>;
  let server: TestEider;
  const eider = (...args: string[]) => runEider(args, env);

  beforeAll(async () => {
    await ensureBuild();
    dataDir = mkdtempSync(path.join(os.tmpdir(), "eider-cli-dkim-"));
    env = { EIDER_DATA_DIR: dataDir, EIDER_ADMIN_TOKEN: ADMIN_TOKEN };
    server = await startTestEider({ dataDir });
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("add generates a key and prints the TXT record to publish; GraphQL has the same key", async () => {
    const run = await eider("dkim", "add", "Example.COM", "--selector", "s2026");
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split("\n");
    expect(lines[0]).toBe(
      "Created DKIM key of example.com (rsa-sha256, selector s2026). Publish this TXT record:",
    );
    expect(lines[1]).toBe("  name:  s2026._domainkey.example.com");
    expect(lines[2]).toMatch(/^ {2}value: v=DKIM1; k=rsa; p=[A-Za-z0-9+/]+=*$/);
    expect(lines[4]).toMatch(
      /^ {2}s2026\._domainkey\.example\.com\. IN TXT \( "v=DKIM1; k=rsa; p=[^"]{237}" "[^"]+" \)$/,
    );
    expect(run.stdout).not.toMatch(/PRIVATE/);
    const { dkimKey } = await gqlOk(
      server.url,
      `{ dkimKey(domain: "example.com") { dnsValue } }`,
      {},
      ADMIN_TOKEN,
    );
    expect(lines[2]).toBe(`  value: ${dkimKey.dnsValue}`);
  });

  it("add --import takes a PEM file, --json prints the key, and a second add needs --replace", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "eider-cli-key-"));
    try {
      const file = path.join(dir, "key.pem");
      writeFileSync(file, generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }));
      const run = await eider("dkim", "add", "ed.example", "--selector", "ed", "--import", file, "--json");
      expect(run.code, run.stderr).toBe(0);
      expect(JSON.parse(run.stdout)).toMatchObject({ domain: "ed.example", algorithm: "ed25519-sha256" });
      const again = await eider("dkim", "add", "ed.example", "--selector", "ed2", "--algorithm", "ed25519");
      expect(again.code).toBe(1);
      expect(again.stderr).toBe(
        'ALREADY_EXISTS: Domain "ed.example" already has a DKIM key; delete it or create with replace to rotate it.\n',
      );
      const rotated = await eider(
        "dkim",
        "add",
        "ed.example",
        "--selector",
        "ed2",
        "--algorithm",
        "ed25519",
        "--replace",
      );
      expect(rotated.code, rotated.stderr).toBe(0);
      expect(rotated.stdout).toMatch(/^Created DKIM key of ed\.example \(ed25519-sha256, selector ed2\)/);
      const bad = path.join(dir, "bad.pem");
      writeFileSync(bad, generateKeyPairSync("ed25519").publicKey.export({ type: "spki", format: "pem" }));
      const refused = await eider("dkim", "add", "bad.example", "--selector", "s", "--import", bad);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toBe(
        'INVALID_INPUT: "-----BEGIN PUBLIC KEY-----" is not a private key; DKIM signing needs the private key.\n',
      );
      const missing = await eider(
        "dkim",
        "add",
        "bad.example",
        "--selector",
        "s",
        "--import",
        path.join(dir, "none.pem"),
      );
      expect(missing.code).toBe(1);
      expect(missing.stderr).toMatch(/^Cannot read the key file ".*none\.pem": ENOENT/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("list and show print the keys; usage mistakes exit 2", async () => {
    const list = await eider("dkim", "list");
    expect(list.code).toBe(0);
    const rows = list.stdout.trim().split("\n");
    expect(rows[0]).toBe("DOMAIN\tSELECTOR\tALGORITHM\tCREATED");
    expect(rows.slice(1).map((r) => r.split("\t").slice(0, 3))).toEqual([
      ["ed.example", "ed2", "ed25519-sha256"],
      ["example.com", "s2026", "rsa-sha256"],
    ]);
    const show = await eider("dkim", "show", "ed.example");
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(
      /^The DKIM key of ed\.example \(ed25519-sha256, selector ed2\)\. Publish this TXT record:\n {2}name: {2}ed2\._domainkey\.ed\.example\n/,
    );
    const none = await eider("dkim", "show", "nokey.example");
    expect(none.code).toBe(1);
    expect(none.stderr).toBe('NOT_FOUND: DKIM key of domain "nokey.example" was not found.\n');
    for (const [args, message] of [
      [
        ["dkim", "add", "x.example"],
        "dkim add needs --selector (the name the TXT record is published under).",
      ],
      [
        ["dkim", "add", "x.example", "--selector", "s", "--algorithm", "dsa"],
        '--algorithm takes rsa or ed25519, not "dsa".',
      ],
      [["dkim", "rotate"], 'Unknown dkim command "rotate".'],
      [["dkim", "show"], '"dkim show" needs a domain.'],
    ] as const) {
      const run = await eider(...args);
      expect(run.code, args.join(" ")).toBe(2);
      expect(run.stderr.split("\n")[0]).toBe(message);
    }
  });

  it("delete refuses without a terminal unless --yes, then removes the key", async () => {
    const refused = await eider("dkim", "delete", "ed.example");
    expect(refused.code).toBe(2);
    expect(refused.stderr.split("\n")[0]).toBe(
      "Not deleting the DKIM key of ed.example without a terminal to ask on; add --yes.",
    );
    const run = await eider("dkim", "delete", "ed.example", "--yes");
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe(
      "Deleted the DKIM key of ed.example: its mail goes out unsigned. Remove the TXT record ed2._domainkey.ed.example.\n",
    );
    const { dkimKeys } = await gqlOk(server.url, `{ dkimKeys { domain } }`, {}, ADMIN_TOKEN);
    expect(dkimKeys).toEqual([{ domain: "example.com" }]);
  });
});

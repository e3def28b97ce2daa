// What a new user meets first: help that exits 0, usage mistakes named with a pointer to the help (exit 2),
// configuration mistakes (file, TOML syntax, environment) as one line naming what is wrong, never a stack
// trace, and `user delete` asking on a terminal. Real `eider` processes on a throwaway data folder.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuild } from "./ensure-build.js";
import { runEider, runEiderOnTerminal } from "./run-eider.js";

const STACK_LINE = /^\s+at /m;
let dataDir: string;
let env: Record<string, string>;

beforeAll(async () => {
  await ensureBuild();
  dataDir = mkdtempSync(path.join(os.tmpdir(), "eider-cli-usage-"));
  env = { EIDER_DATA_DIR: dataDir };
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe("CLI: help", () => {
  it("eider --help, -h and help print the overview on stdout and exit 0", async () => {
    for (const args of [["--help"], ["-h"], ["help"]]) {
      const run = await runEider(args, env);
      expect(run.code, args.join(" ")).toBe(0);
      expect(run.stderr).toBe("");
      expect(run.stdout).toMatch(/^Usage: eider <command> \[options\]/);
      for (const command of ["serve", "user add", "admin-token", "doctor"])
        expect(run.stdout).toContain(command);
    }
  });

  it("eider COMMAND --help and eider help COMMAND print that command's usage and exit 0", async () => {
    const expected: Record<string, RegExp> = {
      serve: /^Usage: eider serve/,
      user: /^Usage:\n  eider user add NAME --password P/,
      dkim: /^Usage:\n  eider dkim add DOMAIN --selector S/,
      "admin-token": /^Usage: eider admin-token \[--rotate\][\s\S]*until it restarts/,
      doctor: /^Usage: eider doctor \[--fix\]/,
    };
    for (const [command, usage] of Object.entries(expected)) {
      for (const args of [
        [command, "--help"],
        ["help", command],
      ]) {
        const run = await runEider(args, env);
        expect(run.code, args.join(" ")).toBe(0);
        expect(run.stdout).toMatch(usage);
      }
    }
    // Below a command too: `user add --help` is the user help, and nothing is created.
    const sub = await runEider(["user", "add", "--help"], env);
    expect(sub.code).toBe(0);
    expect(sub.stdout).toMatch(expected.user);
    expect((await runEider(["user", "list", "--json"], env)).stdout).toBe("");
  });

  it("help works while the configuration is broken (help is how one finds out how to fix it)", async () => {
    const run = await runEider(["serve", "--help", "--config=/nonexistent.toml"], {
      ...env,
      EIDER_BOGUS: "1",
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: eider serve/);
  });

  it("a mistyped option exits 2, names it with the likely intended one and points to the help", async () => {
    const run = await runEider(["user", "add", "zed", "--pasword", "zed-secret-1"], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      `"user add" takes no option --pasword (did you mean --password?).\nRun "eider user --help" for its usage.\n`,
    );
    expect((await runEider(["user", "list", "--json"], env)).stdout).toBe("");
  });

  it("an extra word after a command exits 2 and names it", async () => {
    const run = await runEider(["doctor", "now"], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^"doctor" does not take "now"\./);
  });
});

describe("CLI: configuration mistakes are one line naming the culprit", () => {
  const configFile = (text: string) => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), "eider-cli-config-")), "eider.toml");
    writeFileSync(file, text);
    return file;
  };

  it("an EIDER_ variable that matches no option is refused, naming it", async () => {
    const run = await runEider(["user", "list"], { ...env, EIDER_HTTP_PROT: "9000" });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe(
      "Unknown environment variable EIDER_HTTP_PROT (did you mean EIDER_HTTP_PORT?); EIDER_<SECTION>_<KEY> must name an option in config/default.toml.\n",
    );
  });

  it("a TOML syntax error names the file and the line", async () => {
    const file = configFile(`[http]\nport = 9000\nhost = 127.0.0.1\n`);
    const run = await runEider(["serve", `--config=${file}`], env);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`^${file}:3:\\d+: TOML syntax error: .+\\.\\n$`));
    expect(run.stderr).not.toMatch(STACK_LINE);
  });

  it("a --config file that does not exist is one line", async () => {
    const missing = path.join(dataDir, "nope.toml");
    const run = await runEider(["user", "list", "--config", missing], env);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`Config file ${missing} does not exist.\n`);
  });
});

describe("CLI: user delete on a terminal", () => {
  const PROMPT = "This cannot be undone. [y/N] ";

  it("asks first; anything but yes keeps the user (exit 1), yes deletes it", async () => {
    const add = await runEider(["user", "add", "tess", "--password", "tess-secret-1", "--json"], env);
    expect(add.code, add.stderr).toBe(0);
    const id = JSON.parse(add.stdout).id as string;

    const declined = await runEiderOnTerminal(["user", "delete", "tess"], env, PROMPT, "n\r");
    expect(declined.stdout).toContain(
      `Delete tess (id ${id}) with its mailboxes and messages (0 bytes)? ${PROMPT}`,
    );
    expect(declined.stdout).toContain("Kept tess.");
    expect(declined.code).toBe(1);
    expect((await runEider(["user", "list"], env)).stdout).toContain(`${id}\ttess\t`);

    const confirmed = await runEiderOnTerminal(["user", "delete", "tess"], env, PROMPT, "y\r");
    expect(confirmed.stdout).toContain(`Deleted tess (id ${id}) with its mailboxes and messages.`);
    expect(confirmed.code).toBe(0);
    expect((await runEider(["user", "list"], env)).stdout).not.toContain(id);
  });
});

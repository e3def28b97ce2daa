// The layer rule of design.md ("the core is the only door"), as eslint enforces it on the real config.
import { ESLint } from "eslint";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const REPO = fileURLToPath(new URL("../..", import.meta.url));
const eslint = new ESLint({ cwd: REPO });

/** The messages of the boundary rule for `source` as if it were the file at `file` (relative to the repo). */
async function boundaryErrors(file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: path.join(REPO, file) });
  return result.messages.filter((m) => m.ruleId === "no-restricted-imports").map((m) => m.message);
}

describe("Lint: layer boundaries", () => {
  const forbidden = [
    ["src/graphql/resolvers/probe.ts", 'import type { Store } from "../../storage/ports.js";'],
    ["src/graphql/probe.ts", 'import { openEmbeddedStore } from "../storage/embedded/index.js";'],
    ["src/http/probe.ts", 'import { MemoryBus } from "../bus/index.js";'],
    ["src/http/probe.ts", 'import { parseMessage } from "../mime/index.js";'],
    ["src/cli/probe.ts", 'import type { Bus } from "../bus/ports.js";'],
    ["sidecars/imap/commands/probe.ts", 'import { viewMessage } from "../../../src/mime/view.js";'],
    ["sidecars/lmtp/probe.ts", 'import type { MessageRecord } from "../../src/storage/ports.js";'],
  ];
  it.each(forbidden)("refuses in %s: %s", async (file, source) => {
    const errors = await boundaryErrors(file, `${source}\nexport {};\n`);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/go through the core/);
  });

  it("refuses a dynamic import of storage/, bus/ or mime/ and the composition root's adapters", async () => {
    const lint = async (file: string, source: string) => {
      const [result] = await eslint.lintText(source, { filePath: path.join(REPO, file) });
      return result.messages.filter((m) => m.ruleId === "no-restricted-syntax").map((m) => m.message);
    };
    expect(
      await lint("src/http/probe.ts", 'export const s = await import("../storage/embedded/index.js");\n'),
    ).toEqual([expect.stringMatching(/dynamic imports too/)]);
    expect(
      await lint("sidecars/imap/probe.ts", 'export const m = await import("../../src/mime/index.js");\n'),
    ).toEqual([expect.stringMatching(/dynamic imports too/)]);
    expect(
      await lint("src/cli/probe.ts", "export const kind = (e: any) => e.adapters.store.kind;\n"),
    ).toEqual([expect.stringMatching(/not the adapters/)]);
    expect(
      await lint("src/http/probe.ts", 'export const g = await import("../graphql/index.js");\n'),
    ).toEqual([]);
  });

  it("refuses a file inside the core from a front end: the core's index is its surface", async () => {
    const errors = await boundaryErrors(
      "src/graphql/probe.ts",
      'import { invalidInput } from "../core/errors.js";\nexport { invalidInput };\n',
    );
    expect(errors).toEqual([expect.stringMatching(/through its index/)]);
  });

  const allowed = [
    ["src/graphql/probe.ts", 'import type { Core, MessageRecord } from "../core/index.js";'],
    ["sidecars/imap/probe.ts", 'import type { Core } from "../../src/core/index.js";'],
    ["src/main.ts", 'import { openEmbeddedStore } from "./storage/embedded/index.js";'],
    ["src/core/probe.ts", 'import type { Store } from "../storage/ports.js";'],
  ];
  it.each(allowed)("allows in %s: %s", async (file, source) => {
    expect(await boundaryErrors(file, `${source}\nexport {};\n`)).toEqual([]);
  });

  it("refuses a database driver in the core and in front ends", async () => {
    for (const file of ["src/core/probe.ts", "src/graphql/probe.ts", "sidecars/pop3/probe.ts"]) {
      const errors = await boundaryErrors(
        file,
        'import Database from "better-sqlite3";\nexport { Database };\n',
      );
      expect(errors).toEqual([expect.stringMatching(/only in their adapter/)]);
    }
  });
});

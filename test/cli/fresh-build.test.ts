// bin/eider.js never runs a stale build silently: in a checkout whose dist/ is missing or older than a
// source file it rebuilds first (saying so on stderr), and without TypeScript it refuses in one line.
// Checked on a scratch project with the real bin/ files and the real TypeScript compiler.
import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO } from "./ensure-build.js";

let project: string;
const source = (text: string) => writeFileSync(path.join(project, "src/cli/main.ts"), text);

function eider(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) =>
    execFile(
      process.execPath,
      [path.join(project, "bin/eider.js")],
      { cwd: project },
      (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  );
}

beforeAll(() => {
  project = mkdtempSync(path.join(os.tmpdir(), "eider-fresh-build-"));
  for (const dir of ["bin", "src/cli", "node_modules"])
    mkdirSync(path.join(project, dir), { recursive: true });
  for (const file of ["bin/eider.js", "bin/fresh-build.js"])
    copyFileSync(path.join(REPO, file), path.join(project, file));
  symlinkSync(path.join(REPO, "node_modules/typescript"), path.join(project, "node_modules/typescript"));
  writeFileSync(path.join(project, "package.json"), `{ "type": "module" }\n`);
  writeFileSync(
    path.join(project, "tsconfig.build.json"),
    JSON.stringify({
      compilerOptions: {
        outDir: "dist",
        rootDir: ".",
        module: "nodenext",
        target: "es2022",
        strict: true,
        types: [],
      },
      include: ["src"],
    }),
  );
});
afterAll(() => rmSync(project, { recursive: true, force: true }));

describe("bin/eider.js and dist/", () => {
  it("builds a missing dist/, says so on stderr, then runs it", async () => {
    source(`console.log("version 1");\n`);
    const run = await eider();
    expect(run.stderr).toMatch(
      /^eider: dist\/ has not been built; building \(npm run build\) \.\.\.\neider: built in \d+ s\n$/,
    );
    expect(run.stdout).toBe("version 1\n");
    expect(run.code).toBe(0);
    // Fresh now: no build, no note.
    expect(await eider()).toEqual({ code: 0, stdout: "version 1\n", stderr: "" });
  });

  it("rebuilds when a source file is newer than the build, naming the file", async () => {
    source(`console.log("version 2");\n`);
    const run = await eider();
    expect(run.stderr).toMatch(/^eider: dist\/ is older than src\/cli\/main\.ts; building/);
    expect(run.stdout).toBe("version 2\n");
  });

  it("refuses in one line when the build fails, and runs nothing", async () => {
    source(`const n: number = "not a number";\nconsole.log("version 3", n);\n`);
    const run = await eider();
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /eider: the build failed; fix it and run "npm run build":\n.*src\/cli\/main\.ts.*TS2322/s,
    );
    expect(run.stdout).toBe("");
    // The failed build is not taken for a fresh one by the next command.
    const again = await eider();
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^eider: dist\/ has not been built; building/);
  });

  it("refuses in one line, naming what to run, when dist/ is stale and TypeScript is not installed", async () => {
    source(`console.log("version 4");\n`);
    expect((await eider()).stdout).toBe("version 4\n");
    rmSync(path.join(project, "node_modules/typescript"));
    source(`console.log("version 5");\n`);
    const run = await eider();
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `eider: dist/ is older than src/cli/main.ts, and TypeScript is not installed here: run "npm install && npm run build".\n`,
    );
    expect(run.stdout).toBe("");
  });
});

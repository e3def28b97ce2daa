import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { printEiderSchema } from "../../src/graphql/print-schema.js";

describe("GraphQL schema file", () => {
  it("schema/schema.graphql matches the code (run `npm run schema` after changing the API)", async () => {
    expect(readFileSync("schema/schema.graphql", "utf8")).toBe(await printEiderSchema());
  });
});

describe("web-client typed documents", () => {
  it("web-client/src/gql matches the schema and the operations (run `npm run codegen`)", () => {
    const result = spawnSync(
      process.execPath,
      ["node_modules/@graphql-codegen/cli/cjs/bin.js", "--config", "codegen.yml", "--check"],
      { encoding: "utf8" },
    );
    expect(result.status, result.stdout + result.stderr).toBe(0);
  }, 60_000);
});

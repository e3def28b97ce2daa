import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { printEiderSchema } from "../../src/graphql/print-schema.js";

describe("GraphQL schema file", () => {
  it("schema/schema.graphql matches the code (run `npm run schema` after changing the API)", async () => {
    expect(readFileSync("schema/schema.graphql", "utf8")).toBe(await printEiderSchema());
  });
});

// The two store adapters mirror each other's file layout (issue: "rows/documents, schema/indexes,
// placement/removal"), so a reader who knows one finds the same step in the other.
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const files = (adapter: string) =>
  readdirSync(fileURLToPath(new URL(`../../src/storage/${adapter}/`, import.meta.url)))
    .filter((f) => !f.endsWith(".test.ts"))
    .sort();

describe("Store adapters: one file layout", () => {
  it("has the same files in src/storage/embedded and src/storage/mongo", () => {
    // SQLite's optional write thread (store.write_thread) has no MongoDB counterpart: the driver is asynchronous.
    const embeddedOnly = new Set(["thread-values.ts", "write-thread.ts", "write-worker.ts"]);
    expect(files("embedded").filter((f) => !embeddedOnly.has(f))).toEqual(files("mongo"));
  });

  it("names the shared steps the same way in both", () => {
    for (const adapter of ["embedded", "mongo"])
      expect(files(adapter)).toEqual(
        expect.arrayContaining([
          "README.md",
          "constraint-errors.ts",
          "context.ts",
          "placement.ts",
          "records.ts",
          "removal.ts",
          "repair.ts",
          "schema.ts",
        ]),
      );
  });
});

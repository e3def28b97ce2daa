import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { MemoryBus } from "../../src/bus/index.js";
import { busContract } from "./bus.js";

const reportedErrors: unknown[] = [];
busContract("MemoryBus", async () => new MemoryBus({ onError: (error) => reportedErrors.push(error) }), {
  reportedErrors,
});

describe("MemoryBus", () => {
  it("does not keep the process alive with a pending TTL, lock or subscription", async () => {
    const memoryBus = fileURLToPath(new URL("../../src/bus/memory.ts", import.meta.url));
    const script = [
      `const { MemoryBus } = await import(${JSON.stringify(memoryBus)});`,
      "const bus = new MemoryBus();",
      "await bus.increment('c', 1, 3_600_000);",
      "await bus.hit('r', 1, 3_600_000);",
      "await bus.tryLock('l', 3_600_000);",
      "await bus.subscribe('ch', () => {});",
      "console.log('done');",
    ].join("\n");
    // The child exits by itself only if no timer holds the event loop; the timeout just fails a broken bus.
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--import", "tsx", "--input-type=module", "--eval", script],
      {
        timeout: 30_000,
      },
    );
    expect(stdout.trim()).toBe("done");
  });
});

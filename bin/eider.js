#!/usr/bin/env node
// The `eider` command. The TypeScript is compiled to dist/ (`npm run build`); in a checkout a missing or
// stale build is rebuilt first (bin/fresh-build.js).
import { ensureFreshBuild } from "./fresh-build.js";

try {
  await ensureFreshBuild();
} catch (err) {
  process.stderr.write(`eider: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
await import("../dist/src/cli/main.js");

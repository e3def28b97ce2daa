// The `eider` command runs from the compiled build (bin/eider.js imports dist/). `npm test` builds before
// vitest, so this normally does nothing; when one test file runs alone after an edit it builds, through the
// same check (and lock) the command itself uses.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ensureFreshBuild } from "../../bin/fresh-build.js";

export const REPO = fileURLToPath(new URL("../..", import.meta.url));
export const EIDER_BIN = path.join(REPO, "bin/eider.js");

export const ensureBuild = (): Promise<void> => ensureFreshBuild();

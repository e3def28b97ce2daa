import path from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root, from bench/lib (source) or dist/bench/lib (compiled). */
export const REPO = (() => {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const up = path.resolve(here, "../..");
  return path.basename(up) === "dist" ? path.dirname(up) : up;
})();

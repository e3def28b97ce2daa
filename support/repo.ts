import path from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root, from support/ (source) or dist/support/ (compiled). */
export const REPO = (() => {
  const up = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
  return path.basename(up) === "dist" ? path.dirname(up) : up;
})();

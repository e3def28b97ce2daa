import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { openEmbeddedStore } from "../../src/storage/embedded/index.js";
import { storeContract } from "./store.js";

const dataDir = mkdtempSync(path.join(os.tmpdir(), "eider-store-"));
storeContract("embedded (SQLite + blob folder)", () => openEmbeddedStore({ dataDir }), {
  racesOneDocument: true,
});

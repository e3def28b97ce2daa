import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { openEmbeddedStore } from "../../src/storage/embedded/index.js";
import { storeContract } from "./store.js";

// The server's arrangement: every change on the write thread's connection, reads on this one.
const dataDir = mkdtempSync(path.join(os.tmpdir(), "eider-store-thread-"));
storeContract(
  "embedded, changes on the write thread",
  () => openEmbeddedStore({ dataDir, writeThread: true }),
  { racesOneDocument: true },
);

import { describe, it } from "vitest";
import { openMongoStore } from "../../src/storage/mongo/index.js";
import { serviceUrl, skipReason, uniqueDbName } from "../harness/services.js";
import { storeContract } from "./store.js";

const url = serviceUrl("mongodb");

if (url) {
  // FerretDB (what the harness starts here) loses concurrent updates to one document, so the cases that
  // race writers against one document are skipped; against a real MongoDB (MONGODB_URL) they run too.
  const ferret = process.env.MONGODB_URL === undefined;
  const dbName = uniqueDbName("eider_store");
  storeContract(
    ferret ? "MongoDB protocol (FerretDB v1 + GridFS)" : "MongoDB (+ GridFS)",
    () => openMongoStore({ url, dbName }),
    { racesOneDocument: !ferret },
  );
} else {
  describe(`Storage contract: MongoDB (skipped: ${skipReason("mongodb")})`, () => {
    it.skip("needs a MongoDB-protocol server", () => {});
  });
}

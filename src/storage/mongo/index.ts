import { MongoClient, type MongoClientOptions } from "mongodb";
import type { Store } from "../ports.js";
import { MongoAddressStore } from "./addresses.js";
import { MongoAutoreplyStore } from "./autoreplies.js";
import { MongoFilterStore } from "./filters.js";
import { MongoBlobStore } from "./blobs.js";
import { BLOB_BUCKET, MongoContext } from "./context.js";
import { MongoDeliveredIdStore } from "./delivered-ids.js";
import { MongoDeliveryLogStore } from "./deliveries.js";
import { MongoDkimKeyStore } from "./dkim-keys.js";
import { createIndexes } from "./schema.js";
import { MongoOutboxStore } from "./outbox.js";
import { MongoJournalStore } from "./journal.js";
import { MongoMailboxStore } from "./mailboxes.js";
import { MongoMessageStore } from "./messages.js";
import { reconcileUsageMongo, repairMongo } from "./repair.js";
import { MongoSessionStore } from "./sessions.js";
import { MongoAuthLogStore } from "./auth-log.js";
import { MongoThreadStore } from "./threads.js";
import { MongoUserStore } from "./users.js";

export interface MongoStoreOptions {
  /** A MongoDB connection string (a replica set in production; see README.md). */
  url: string;
  /** The main database; defaults to the one named in the URL, else "eider". */
  dbName?: string;
  /** The GridFS database for blobs; defaults to `<dbName>_attachments`. */
  blobDbName?: string;
}

/**
 * Opens the cluster store: MongoDB collections plus GridFS blobs in a separate database. Creates every
 * index before it returns. Writes wait for a journaled majority unless the URL sets its own `w`.
 */
export async function openMongoStore(options: MongoStoreOptions): Promise<Store> {
  const clientOptions: MongoClientOptions = /[?&]w=/.test(options.url)
    ? {}
    : { writeConcern: { w: "majority", journal: true } };
  const client = new MongoClient(options.url, clientOptions);
  await client.connect();
  try {
    const dbName = options.dbName ?? databaseInUrl(options.url) ?? "eider";
    const main = client.db(dbName);
    const ctx = new MongoContext(client, main, client.db(options.blobDbName ?? `${dbName}_attachments`));
    await createIndexes(ctx, BLOB_BUCKET);
    const outbox = new MongoOutboxStore(ctx);
    return {
      kind: "mongo",
      users: new MongoUserStore(ctx, (userId) => outbox.removeForUser(userId)),
      addresses: new MongoAddressStore(ctx),
      mailboxes: new MongoMailboxStore(ctx),
      messages: new MongoMessageStore(ctx),
      blobs: new MongoBlobStore(ctx),
      journal: new MongoJournalStore(ctx),
      threads: new MongoThreadStore(ctx),
      sessions: new MongoSessionStore(ctx),
      autoreplies: new MongoAutoreplyStore(ctx),
      filters: new MongoFilterStore(ctx),
      deliveries: new MongoDeliveryLogStore(ctx),
      deliveredIds: new MongoDeliveredIdStore(ctx),
      authLog: new MongoAuthLogStore(ctx),
      outbox,
      dkimKeys: new MongoDkimKeyStore(ctx),
      repair: (opts) => repairMongo(ctx, opts?.graceMs, opts?.dryRun),
      reconcileUsage: (window) => reconcileUsageMongo(ctx, window),
      ping: async () => {
        await main.command({ ping: 1 });
      },
      close: () => client.close(),
    };
  } catch (err) {
    await client.close();
    throw err;
  }
}

function databaseInUrl(url: string): string | undefined {
  const name = /^mongodb(?:\+srv)?:\/\/[^/]*\/([^?]+)/.exec(url)?.[1];
  return name ? decodeURIComponent(name) : undefined;
}

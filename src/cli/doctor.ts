import type { EiderConfig } from "../config/config.js";
import { ADMIN } from "../core/index.js";
import { openCore } from "../main.js";

/** Unsigned domains named in doctor's line; the rest are counted. */
const MAX_DOMAINS_SHOWN = 10;

/** Checks that the store and bus answer and that blob references and quota usage are exact; `--fix` repairs them. */
export async function runDoctor(config: EiderConfig, fix: boolean): Promise<number> {
  let problems = 0;
  const check = async (name: string, fn: () => Promise<string>) => {
    try {
      console.log(`ok   ${name}: ${await fn()}`);
    } catch (err) {
      problems++;
      console.log(`FAIL ${name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  const { core } = await openCore(config);
  try {
    await check("config", async () => `http ${config.http.host}:${config.http.port}, data ${config.dataDir}`);
    const health = await core.health();
    await check("store", async () => {
      if (!health.store.ok) throw new Error(`${health.store.kind}: ${health.store.error}`);
      return health.store.kind;
    });
    await check("bus", async () => {
      if (!health.bus.ok) throw new Error(health.bus.error);
      return "answered";
    });
    await check("dkim", async () => {
      const unsigned = await core.dkim.domainsWithoutKey(ADMIN);
      if (unsigned.length === 0) return "every domain of this server's addresses has a DKIM key";
      const shown = unsigned.slice(0, MAX_DOMAINS_SHOWN).join(", ");
      const more =
        unsigned.length > MAX_DOMAINS_SHOWN ? ` and ${unsigned.length - MAX_DOMAINS_SHOWN} more` : "";
      const whose = unsigned.length === 1 ? "its" : "their";
      return `no DKIM key for ${shown}${more}: ${whose} mail leaves unsigned (createDkimKey over GraphQL)`;
    });
    if (fix) {
      await check("repair", async () => {
        const r = await core.maintenance.repair(ADMIN, { dryRun: false });
        return `${r.blobRefsFixed} blob reference counts fixed, ${r.blobsRemoved} unreferenced blobs removed, ${r.quotaFixed} quota totals fixed, ${r.tempFilesRemoved} temp files of interrupted blob writes removed`;
      });
      await check(
        "mailboxes",
        async () =>
          `${await core.maintenance.ensureSpecialUse(ADMIN, { dryRun: false })} missing special-use mailboxes created`,
      );
    } else {
      await check("mailboxes", async () => {
        const missing = await core.maintenance.ensureSpecialUse(ADMIN, { dryRun: true });
        if (missing > 0)
          throw new Error(`${missing} special-use mailboxes are missing; run eider doctor --fix`);
        return "every user has its special-use mailboxes";
      });
      await check("counts", async () => {
        const r = await core.maintenance.repair(ADMIN, { dryRun: true });
        if (r.blobRefsFixed > 0 || r.quotaFixed > 0) {
          throw new Error(
            `${r.blobRefsFixed} blob reference counts and ${r.quotaFixed} quota totals are off; run eider doctor --fix`,
          );
        }
        return `blob reference counts and quota totals are exact; ${r.blobsRemoved} unreferenced blobs and ${r.tempFilesRemoved} temp files of interrupted blob writes to sweep (eider doctor --fix)`;
      });
    }
  } finally {
    await core.close();
  }
  return problems === 0 ? 0 : 1;
}

// The admin token's home when the configuration does not set one: `<data_dir>/admin-token`, generated on
// first need, and `<data_dir>/admin-token.used`, which records the first time a request presented it (so
// `eider serve` can stop printing it once an admin has it). The record names the token by its hash: a
// rotated token starts out unused even if a server still running on the old one records a use meanwhile.
import { createHash, randomBytes } from "node:crypto";
import { linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { EiderConfig } from "./config.js";

export interface AdminToken {
  token: string;
  /** "config": `admin_token` / `EIDER_ADMIN_TOKEN` set it; "file": it lives in `file`. */
  source: "config" | "file";
  file: string;
  /** Generated just now. */
  created: boolean;
  /** When a request first presented this token (file tokens only). */
  firstUsedAt: Date | null;
}

export const adminTokenFile = (config: EiderConfig) => path.join(config.dataDir, "admin-token");
const usedFile = (config: EiderConfig) => `${adminTokenFile(config)}.used`;
const digest = (token: string) => createHash("sha256").update(token).digest("hex");

/** The admin token: from config, else from the data folder, else a new one written there. */
export function resolveAdminToken(config: EiderConfig): AdminToken {
  const file = adminTokenFile(config);
  if (config.adminToken)
    return { token: config.adminToken, source: "config", file, created: false, firstUsedAt: null };
  const stored = readOptional(file)?.trim();
  if (stored)
    return { token: stored, source: "file", file, created: false, firstUsedAt: firstUse(config, stored) };
  // Two processes starting together on a new data folder must agree: the first link wins, the other reads it.
  const token = newToken();
  const tmp = writeTemp(file, `${token}\n`);
  try {
    linkSync(tmp, file);
    return { token, source: "file", file, created: true, firstUsedAt: null };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    return resolveAdminToken(config);
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** Replaces the token in the data folder; a server holding the old one keeps it until it restarts. */
export function rotateAdminToken(config: EiderConfig): AdminToken {
  if (config.adminToken)
    throw new Error(
      "The admin token is set by the configuration (admin_token or EIDER_ADMIN_TOKEN); change it there.",
    );
  const token = newToken();
  writeAtomically(adminTokenFile(config), `${token}\n`);
  return { token, source: "file", file: adminTokenFile(config), created: true, firstUsedAt: null };
}

/** Records that a request presented `token`; the first record stands. */
export function recordAdminTokenUse(config: EiderConfig, token: string): void {
  if (firstUse(config, token)) return;
  const record = { tokenSha256: digest(token), firstUsedAt: new Date().toISOString() };
  writeAtomically(usedFile(config), `${JSON.stringify(record)}\n`);
}

function firstUse(config: EiderConfig, token: string): Date | null {
  try {
    const record = JSON.parse(readOptional(usedFile(config)) ?? "null") as {
      tokenSha256?: string;
      firstUsedAt?: string;
    } | null;
    return record?.tokenSha256 === digest(token) && record.firstUsedAt ? new Date(record.firstUsedAt) : null;
  } catch {
    return null; // a damaged record only means the token is printed once more
  }
}

const newToken = () => randomBytes(24).toString("base64url");

/** Written beside the target, then renamed over it: a reader sees the old file or the new one, never half. */
function writeAtomically(file: string, text: string): void {
  renameSync(writeTemp(file, text), file);
}

function writeTemp(file: string, text: string): string {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  return tmp;
}

function readOptional(file: string): string | null {
  try {
    return readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
}

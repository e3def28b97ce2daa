// What the Eider plugin inside Haraka needs to know, written by Eider as config/eider.json in the Haraka
// config folder it generates (haraka-config.ts) and read by the plugin when Haraka loads it.
import { readFileSync } from "node:fs";
import path from "node:path";

export interface MxSettings {
  /** Eider's LMTP listener, where every message goes (any instance, in a cluster). */
  lmtp: { host: string; port: number; timeoutMs: number };
  /** This MX's host name: LHLO towards Eider, and the authserv-id of its Authentication-Results. */
  serverName: string;
  authservId: string;
  /** Rspamd's normal worker ("http://127.0.0.1:11333"); null: mail is delivered unscored. */
  rspamd: { url: string; timeoutMs: number } | null;
  /** A JSON zone file answering DNS instead of the system resolver (dns-zone.ts); null: the system's. */
  dnsZoneFile: string | null;
}

export const SETTINGS_FILE = "eider.json";

/** Reads the settings from a Haraka config folder (the plugin's `process.env.HARAKA`). */
export function readSettings(harakaDir: string): MxSettings {
  const file = path.join(harakaDir, "config", SETTINGS_FILE);
  let value: MxSettings;
  try {
    value = JSON.parse(readFileSync(file, "utf8")) as MxSettings;
  } catch (err) {
    throw new Error(`The Eider plugin's settings ${file} cannot be read: ${(err as Error).message}`);
  }
  if (!value?.lmtp?.host || !Number.isInteger(value.lmtp.port))
    throw new Error(`The Eider plugin's settings ${file} name no LMTP host and port.`);
  return value;
}

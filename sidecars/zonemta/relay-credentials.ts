// The credentials Eider's own outbox logs in to ZoneMTA with (`[outbound] zonemta_url`, "smtp://user:secret@host:
// port"). Mail handed over with them was checked, signed and copied to Sent by Eider already, so the plugin queues
// it as it is. Both sides read the one setting: the transport to log in, the plugin to recognise the login.
import { createHash, timingSafeEqual } from "node:crypto";

export interface RelayCredentials {
  username: string;
  password: string;
}

/** The user and password of a `zonemta_url`; null when it names none (Eider's outbox cannot log in then). */
export function relayCredentials(zonemtaUrl: string): RelayCredentials | null {
  if (!zonemtaUrl) return null;
  const url = new URL(zonemtaUrl);
  if (!url.username || !url.password) return null;
  return { username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) };
}

/** Whether a login is Eider's outbox; compared in constant time, so the answer's timing tells nothing. */
export function isRelayLogin(
  credentials: RelayCredentials | null,
  username: string,
  password: string,
): boolean {
  if (!credentials) return false;
  const digest = (text: string) => createHash("sha256").update(text).digest();
  // Both compared always: stopping at a wrong username would time the username apart from the password.
  const user = timingSafeEqual(digest(credentials.username), digest(username));
  const pass = timingSafeEqual(digest(credentials.password), digest(password));
  return user && pass;
}

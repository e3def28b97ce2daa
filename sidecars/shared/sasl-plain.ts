// SASL PLAIN (RFC 4616) message: base64 of authzid NUL authcid NUL password (POP3 AUTH, IMAP AUTHENTICATE).

export type PlainCredentials =
  { ok: true; authzid: string; username: string; password: string } | { ok: false; reason: string };

export function decodePlain(base64: string): PlainCredentials {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64) || base64.length % 4 !== 0)
    return { ok: false, reason: "The response is not base64." };
  const parts = Buffer.from(base64, "base64").toString("utf8").split("\0");
  if (parts.length !== 3 || parts[1] === "") return { ok: false, reason: "The PLAIN response is malformed." };
  const [authzid, username, password] = parts;
  return { ok: true, authzid, username, password };
}

/** The token of an `Authorization: Bearer <token>` header (or the same in WebSocket connectionParams). */
export function bearerToken(header: unknown): string | null {
  if (typeof header !== "string") return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1] : null;
}

// `eider serve`: starts everything, says where it is and how to begin, stops cleanly on SIGINT/SIGTERM, and
// reloads the TLS certificates on SIGHUP whichever parts run (Node's default for SIGHUP would end the process).
import type { AdminToken } from "../config/admin-token.js";
import type { EiderConfig } from "../config/config.js";
import { configuredParts, PARTS, startParts, type Part } from "../main.js";
import { UsageError } from "./args.js";

/** `--only` values (repeated or comma-separated) as parts; none given: null, the configured ones run. */
export function onlyParts(values: string[] | undefined): Part[] | null {
  if (!values) return null;
  const names = values.flatMap((v) => v.split(",")).map((v) => v.trim().toLowerCase());
  for (const name of names)
    if (!(PARTS as readonly string[]).includes(name))
      throw new UsageError(`--only takes ${PARTS.join(", ")} (comma-separated), not "${name}".`);
  return PARTS.filter((p) => names.includes(p));
}

export async function serve(config: EiderConfig, only: Part[] | null = null): Promise<number> {
  // Listening for the signals from the start: a supervisor may send SIGTERM as soon as the port answers or
  // the banner shows, and it must get a clean stop, not Node's default exit.
  const signalled = new Promise<string>((resolve) => {
    process.once("SIGINT", () => resolve("SIGINT"));
    process.once("SIGTERM", () => resolve("SIGTERM"));
  });
  let eider: Awaited<ReturnType<typeof startParts>> | undefined;
  // Before the start is done there is nothing to reload: the files are being read for the first time.
  const hangup = () => {
    if (eider?.reloadCertificates() === "none")
      eider.logger.info("SIGHUP: no TLS certificate in use by the parts running here; nothing to reload");
  };
  process.on("SIGHUP", hangup);
  try {
    eider = await startParts(config, only ?? configuredParts(config));
  } catch (err) {
    process.off("SIGHUP", hangup);
    const line = listenFailure(err, config);
    if (!line) throw err;
    console.error(line);
    return 1;
  }
  const listening = [
    eider.http &&
      `  GraphQL API (HTTP and WebSocket): ${eider.http.url}/graphql\n  Health: ${eider.http.url}/health   Metrics: ${eider.http.url}/metrics`,
    eider.lmtp &&
      `  LMTP (local delivery): ${eider.lmtp.host}:${eider.lmtp.port}${config.lmtp.starttls ? " (STARTTLS)" : ""}`,
    eider.pop3 &&
      `  POP3: ${eider.pop3.host}:${eider.pop3.port} (STLS)${eider.pop3.tlsPort === null ? "" : `, ${eider.pop3.host}:${eider.pop3.tlsPort} (TLS)`}`,
    eider.imap &&
      `  IMAP: ${eider.imap.host}:${eider.imap.port} (STARTTLS)${eider.imap.tlsPort === null ? "" : `, ${eider.imap.host}:${eider.imap.tlsPort} (TLS)`}`,
    eider.submission &&
      `  SMTP submission: ${eider.submission.host}:${eider.submission.port} (STARTTLS)${eider.submission.tlsPort === null ? "" : `, ${eider.submission.host}:${eider.submission.tlsPort} (TLS)`}`,
    eider.mx && `  MX (Haraka, pid ${eider.mx.pid}): ${eider.mx.host}:${eider.mx.port}`,
  ].filter(Boolean);
  console.log(`Eider is running.
${listening.join("\n")}
  Store: ${config.store.mongodbUrl ? "mongodb" : `embedded (${config.dataDir})`}   Bus: ${config.bus.redisUrl ? "redis" : "in-process"}
  ${adminTokenLine(eider.adminToken)}
  Create the first user: npx eider user add alice --password 'a long secret' --address alice@example.com`);
  eider.logger.info({ signal: await signalled }, "shutting down");
  await eider.stop();
  process.off("SIGHUP", hangup);
  return 0;
}

/** The token itself until a request has used it (a first start that failed must not lose it); then where it is. */
function adminTokenLine(t: AdminToken): string {
  if (t.source === "config") return "Admin token: the one set by admin_token / EIDER_ADMIN_TOKEN.";
  if (!t.firstUsedAt)
    return `Admin token: ${t.token}\n    (kept in ${t.file}; printed at every start until a request uses it; eider admin-token shows it)`;
  return `Admin token: in ${t.file} (eider admin-token shows it, eider admin-token --rotate replaces it)`;
}

/** One line for the listen errors an admin fixes by choosing another address, instead of a stack trace. */
function listenFailure(err: unknown, config: EiderConfig): string | null {
  const e = err as NodeJS.ErrnoException;
  if (e?.syscall !== "listen") return null;
  // The error names the port; the LMTP one is told apart from the API's by it.
  const failed = (e as { port?: number }).port;
  const part =
    failed === config.lmtp.port && config.lmtp.port !== config.http.port
      ? "lmtp"
      : failed !== config.http.port && (failed === config.pop3.port || failed === config.pop3.tlsPort)
        ? "pop3"
        : failed !== config.http.port && (failed === config.imap.port || failed === config.imap.tlsPort)
          ? "imap"
          : failed !== config.http.port &&
              (failed === config.submission.port || failed === config.submission.tlsPort)
            ? "submission"
            : "http";
  const { host } = config[part];
  const port = failed ?? config[part].port;
  const where = `${host}:${port}`;
  const P = part.toUpperCase();
  const change = `set EIDER_${P}_PORT (or EIDER_${P}_HOST), or [${part}] port / host in a --config file`;
  if (e.code === "EADDRINUSE")
    return `Cannot listen on ${where}: port ${port} is already in use (another Eider?); ${change}.`;
  if (e.code === "EACCES")
    return `Cannot listen on ${where}: ports below 1024 need privileges; ${change}, or put a reverse proxy in front.`;
  if (e.code === "EADDRNOTAVAIL")
    return `Cannot listen on ${where}: ${host} is not an address of this machine; ${change}.`;
  return `Cannot listen on ${where}: ${e.message}; ${change}.`;
}

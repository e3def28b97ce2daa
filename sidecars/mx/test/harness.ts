// An Eider with its MX for tests: Eider in this process (port 0 everywhere), Haraka started by it as `eider serve`
// does, on a free port, with DNS from a zone file; and the SMTP clients the tests drive it with.
import { mkdtempSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { ensureFreshBuild } from "../../../bin/fresh-build.js";
import { startTestEider, type TestEider } from "../../../test/harness/eider.js";
import { runPython } from "../../../test/harness/python.js";

export const MX_NAME = "mx.eider.test";

export interface MxEider extends TestEider {
  mxPort: number;
  dataDir: string;
}

export interface MxEiderOptions {
  /** DNS answers (dns-zone.ts's format); 127.0.0.1's reverse name is client.remote.test unless given. */
  zone?: Record<string, Record<string, unknown[]>>;
  env?: Record<string, string>;
  maxMessageBytes?: number;
}

export async function startMxEider(o: MxEiderOptions = {}): Promise<MxEider> {
  // Haraka requires the compiled plugin (dist/), which must match the sources under test.
  await ensureFreshBuild();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "eider-mx-"));
  const zoneFile = path.join(dataDir, "zone.json");
  writeFileSync(
    zoneFile,
    JSON.stringify({ "1.0.0.127.in-addr.arpa": { PTR: ["client.remote.test"] }, ...o.zone }),
  );
  const t = await startTestEider({
    dataDir,
    maxMessageBytes: o.maxMessageBytes,
    env: {
      EIDER_MX_ENABLED: "true",
      EIDER_MX_PORT: "0",
      EIDER_MX_SERVER_NAME: MX_NAME,
      EIDER_MX_DNS_ZONE_FILE: zoneFile,
      EIDER_POP3_ENABLED: "false",
      EIDER_IMAP_ENABLED: "false",
      ...o.env,
    },
  });
  return { ...t, mxPort: t.eider.mx!.port, dataDir };
}

export type Reply = [code: number, text: string];

export interface SmtplibResult {
  features: Record<string, string>;
  mail: Reply;
  rcpt: Reply[];
  /** Null when no recipient was accepted (DATA not sent). */
  data: Reply | null;
}

/** Python's smtplib: EHLO, MAIL (with options), each RCPT, then DATA when one was accepted. */
export function smtplibSend(
  port: number,
  spec: { from: string; rcpts: string[]; data: Buffer; mailOptions?: string[] },
): Promise<SmtplibResult> {
  return runPython<SmtplibResult>(
    "import json, smtplib, sys",
    `
    spec = json.loads(sys.argv[2])
    s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), local_hostname="client.remote.test", timeout=60)
    s.ehlo()
    features = dict(s.esmtp_features)
    mail = s.mail(spec["from"], spec["mail_options"])
    rcpt = [s.rcpt(r) for r in spec["rcpts"]]
    data = None
    if any(code == 250 for code, _ in rcpt):
        data = s.data(bytes.fromhex(spec["data"]))
    s.quit()
    out = lambda r: [r[0], r[1].decode("utf-8", "replace")]
    print(json.dumps({"features": features, "mail": out(mail), "rcpt": [out(r) for r in rcpt],
                      "data": out(data) if data else None}))
    `,
    [
      String(port),
      JSON.stringify({ ...spec, data: spec.data.toString("hex"), mail_options: spec.mailOptions ?? [] }),
    ],
    "smtplib",
  );
}

/** A raw SMTP conversation for what no client library sends (bare LF, NUL bytes): each write, then its replies. */
export async function rawSmtp(
  port: number,
  steps: Array<{ send: Buffer | string; replies: number }>,
): Promise<string[]> {
  const socket = net.connect(port, "127.0.0.1");
  let buffer = "";
  const replies: string[] = [];
  let wake: (() => void) | null = null;
  let closed = false;
  socket.on("data", (d: Buffer) => {
    buffer += d.toString("latin1");
    let end: number;
    while ((end = buffer.indexOf("\r\n")) >= 0) {
      const line = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      if (line[3] !== "-") replies.push(line);
    }
    wake?.();
  });
  socket.on("close", () => {
    closed = true;
    wake?.();
  });
  socket.on("error", () => undefined);
  const waitFor = async (n: number) => {
    while (replies.length < n && !closed) await new Promise<void>((r) => (wake = r));
  };
  let expected = 1;
  await waitFor(expected); // the greeting
  for (const step of steps) {
    socket.write(step.send);
    expected += step.replies;
    await waitFor(expected);
  }
  socket.destroy();
  return replies;
}

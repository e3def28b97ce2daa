// Spam scoring through Rspamd's HTTP protocol (`POST /checkv2`, the message as the body and the envelope in
// request headers), turned into the header fields Eider's delivery routing reads (src/core/delivery/spam.ts).
import http from "node:http";

export interface RspamdOptions {
  /** e.g. "http://127.0.0.1:11333" (the normal worker). */
  url: string;
  timeoutMs: number;
}

export interface ScanEnvelope {
  ip?: string;
  helo?: string;
  /** The client's reverse DNS name, when it has one. */
  hostname?: string;
  mailFrom: string;
  recipients: string[];
  queueId?: string;
}

export interface RspamdVerdict {
  /** "no action", "greylist", "add header", "rewrite subject", "soft reject" or "reject". */
  action: string;
  score: number;
  requiredScore: number;
}

/** Asks Rspamd; rejects when it cannot be reached, times out or answers something that is not a verdict. */
export function scan(options: RspamdOptions, raw: Buffer, envelope: ScanEnvelope): Promise<RspamdVerdict> {
  const url = new URL("/checkv2", options.url);
  // Rspamd reads one Rcpt header per recipient; a flat list of pairs keeps them apart (an object would join them).
  const headers: string[] = ["Content-Length", String(raw.length), "From", envelope.mailFrom];
  for (const r of envelope.recipients) headers.push("Rcpt", r);
  if (envelope.ip) headers.push("IP", envelope.ip);
  if (envelope.helo) headers.push("Helo", envelope.helo);
  if (envelope.hostname) headers.push("Hostname", envelope.hostname);
  if (envelope.queueId) headers.push("Queue-Id", envelope.queueId);
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: "POST", headers, timeout: options.timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("error", reject);
      res.on("end", () => {
        if (res.statusCode !== 200)
          return reject(new Error(`Rspamd answered HTTP ${res.statusCode} to /checkv2.`));
        try {
          resolve(verdictOf(JSON.parse(Buffer.concat(chunks).toString("utf8"))));
        } catch (err) {
          reject(err instanceof Error ? err : new Error(String(err)));
        }
      });
    });
    req.on("timeout", () => req.destroy(new Error(`Rspamd did not answer within ${options.timeoutMs} ms.`)));
    req.on("error", reject);
    req.end(raw);
  });
}

function verdictOf(body: unknown): RspamdVerdict {
  const b = body as { action?: unknown; score?: unknown; required_score?: unknown };
  if (typeof b?.action !== "string" || typeof b.score !== "number")
    throw new Error(`Rspamd's answer has no action and score: ${JSON.stringify(body).slice(0, 200)}`);
  return {
    action: b.action,
    score: b.score,
    requiredScore: typeof b.required_score === "number" ? b.required_score : NaN,
  };
}

/** The verdict as the header fields Eider trusts ("Name: value"); the score decides against each user's level. */
export function verdictHeaders(v: RspamdVerdict): string[] {
  const spam = ["add header", "rewrite subject", "reject"].includes(v.action);
  const required = Number.isFinite(v.requiredScore) ? ` required=${v.requiredScore.toFixed(2)}` : "";
  return [
    `X-Spam-Status: ${spam ? "Yes" : "No"}, score=${v.score.toFixed(2)}${required}`,
    `X-Rspamd-Score: ${v.score.toFixed(2)}`,
    `X-Rspamd-Action: ${v.action}`,
  ];
}

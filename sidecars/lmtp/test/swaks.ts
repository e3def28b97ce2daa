// swaks (Debian's SMTP/LMTP test client) as the tests run it: `swaks --protocol LMTP` against a port, the message
// on stdin, and its transcript split into what it sent (" -> ") and what it read ("<- " ok, "<** " refused).
import { spawn } from "node:child_process";

export interface SwaksRun {
  code: number | null;
  /** Every transcript line in order, without its direction marker; `sent` and `replies` tell them apart. */
  lines: Array<{ dir: "sent" | "reply"; text: string }>;
  replies: string[];
  transcript: string;
}

/**
 * swaks exit status: 0 all well, 24 every recipient refused, 26 the message refused after DATA (its man page).
 * `protocol` "SMTP" (ESMTP) drives an MX instead.
 */
export function swaks(
  port: number,
  args: string[],
  data: Buffer,
  protocol: "LMTP" | "SMTP" = "LMTP",
): Promise<SwaksRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      "swaks",
      [
        "--protocol",
        protocol === "SMTP" ? "ESMTP" : "LMTP",
        "--server",
        "127.0.0.1",
        "--port",
        String(port),
        "--helo",
        "mx.client.test",
        "--data",
        "-",
        "--suppress-data",
        ...args,
      ],
      { stdio: ["pipe", "pipe", "pipe"] },
    );
    let transcript = "";
    child.stdout.on("data", (d: Buffer) => (transcript += d.toString()));
    child.stderr.on("data", (d: Buffer) => (transcript += d.toString()));
    child.once("error", reject);
    child.once("close", (code) => {
      const lines = transcript.split("\n").flatMap((line) => {
        const m = /^(<-|<\*\*| ->) +(.*)$/.exec(line);
        return m ? [{ dir: m[1] === " ->" ? ("sent" as const) : ("reply" as const), text: m[2] }] : [];
      });
      resolve({
        code,
        lines,
        replies: lines.filter((l) => l.dir === "reply").map((l) => l.text),
        transcript,
      });
    });
    child.stdin.end(data);
  });
}

/**
 * The DATA swaks sends for a message with no line break at its end: swaks ends the data with CR LF before the
 * dot (and turns bare LF into CR LF, dot-stuffs, drops a leading "From " line), so this is what gets stored.
 */
export function swaksData(message: Buffer): Buffer {
  return Buffer.concat([message, Buffer.from("\r\n")]);
}

// Drives Python's smtplib (a real SMTP client) against ZoneMTA's feeder: EHLO, AUTH (PLAIN, then LOGIN as smtplib
// falls back), MAIL, RCPT each, DATA with the exact bytes; every reply is returned as [code, text].
import { runPython } from "../../../test/harness/python.js";

export type Reply = [number, string];

export interface SmtplibResult {
  auth: Reply;
  /** Absent when AUTH failed. */
  mail?: Reply;
  rcpt?: Reply[];
  data?: Reply;
}

const PRELUDE = `
import base64, json, smtplib, sys
host, port, user, password, mail_from = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
rcpts, raw = json.loads(sys.argv[6]), base64.b64decode(sys.argv[7])
def reply(r): return [r[0], r[1].decode("utf-8", "replace")]
`;

const SCRIPT = `
s = smtplib.SMTP(host, port, timeout=60)
s.ehlo("client.example.test")
try:
    result = {"auth": reply(s.login(user, password))}
except smtplib.SMTPAuthenticationError as e:
    print(json.dumps({"auth": [e.smtp_code, e.smtp_error.decode()]}))
    sys.exit(0)
result["mail"] = reply(s.mail(mail_from))
result["rcpt"] = [reply(s.rcpt(r)) for r in rcpts]
result["data"] = reply(s.data(raw))
s.quit()
print(json.dumps(result))
`;

export function submitWithSmtplib(
  target: { host: string; port: number },
  login: { user: string; pass: string },
  envelope: { from: string; to: string[] },
  raw: Buffer,
): Promise<SmtplibResult> {
  const argv = [
    target.host,
    String(target.port),
    login.user,
    login.pass,
    envelope.from,
    JSON.stringify(envelope.to),
    raw.toString("base64"),
  ];
  return runPython<SmtplibResult>(PRELUDE, SCRIPT, argv, "smtplib");
}

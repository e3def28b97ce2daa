// FETCH over real sockets on a running Eider: corpus messages delivered over LMTP (and one uploaded over GraphQL)
// come back byte-exact over BODY[], every part agrees with mailparser's view of the stored message, imapflow
// reads every item, and \Seen follows BODY[] but not BODY.PEEK[].
import { ImapFlow } from "imapflow";
import { simpleParser, type AddressObject } from "mailparser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { corpusFiles, corpusMessages, readCorpusMessage } from "../../../support/corpus.js";
import {
  createUser,
  startTestEider,
  upload,
  type TestEider,
  type TestUser,
} from "../../../test/harness/eider.js";
import { RawLmtp } from "../../lmtp/test/clients.js";
import { expectTraceThenData } from "../../lmtp/test/trace.js";
import { readFetchResponses, type ParsedBody, type ParsedFetch } from "./fetch-grammar.js";
import { RawImap } from "./raw-imap.js";

/**
 * Corpus messages spread over ham and spam, then ones with non-text parts (attachments, message/rfc822, images,
 * base64 and QP), where part numbers and nesting get interesting.
 */
function sample(): Buffer[] {
  const spread = corpusMessages(60);
  const withParts = corpusFiles()
    .map(readCorpusMessage)
    .filter((raw) =>
      /^content-(?:disposition:\s*attachment|type:\s*(?:application|image|audio|video|message)\/)/im.test(
        raw.toString("latin1"),
      ),
    )
    .slice(0, 140);
  return [...spread, ...withParts];
}

const ADDRESS = "fetcher@example.test";
const SENDER = "sender@example.test";

/** LF or CRLF line ends to CRLF, ending in CRLF: what an MTA sends over LMTP. */
function toCrlf(message: Buffer): Buffer {
  const text = message.toString("latin1").replace(/\r?\n/g, "\r\n");
  return Buffer.from(text.endsWith("\r\n") ? text : `${text}\r\n`, "latin1");
}

/** RFC 5321 §4.5.2 dot-stuffing and the end of DATA. */
function dataOf(message: Buffer): Buffer {
  const text = message.toString("latin1");
  return Buffer.from(`${text.startsWith(".") ? "." : ""}${text.replace(/\r\n\./g, "\r\n..")}.\r\n`, "latin1");
}

async function deliver(port: number, messages: Buffer[]): Promise<void> {
  const lmtp = await RawLmtp.connect(port);
  await lmtp.send("LHLO mx.client.test\r\n");
  for (const message of messages) {
    const replies = await lmtp.send(`MAIL FROM:<${SENDER}>\r\nRCPT TO:<${ADDRESS}>\r\nDATA\r\n`, 3);
    expect(replies.map((r) => r.slice(0, 3))).toEqual(["250", "250", "354"]);
    await lmtp.write(dataOf(message));
    const [stored] = await lmtp.read(1);
    expect(stored.slice(0, 3)).toBe("250");
  }
  await lmtp.send("QUIT\r\n");
}

function decodeTransfer(bytes: Buffer, encoding: string): Buffer {
  if (encoding === "base64") return Buffer.from(bytes.toString("latin1"), "base64");
  if (encoding !== "quoted-printable") return bytes;
  const text = bytes.toString("latin1").replace(/=\r?\n/g, "");
  return Buffer.from(
    text.replace(/=([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))),
    "latin1",
  );
}

/** A MIME header block's field names (lower case, in order, unique) and its Content-Transfer-Encoding. */
function mimeFields(header: Buffer): { names: string[]; encoding: string } {
  const lines = header.toString("latin1").split("\r\n");
  const names: string[] = [];
  let encoding = "";
  for (const line of lines) {
    const m = /^([^\s:][^:]*):(.*)$/.exec(line);
    if (!m) continue;
    const name = m[1].trim().toLowerCase();
    if (!names.includes(name)) names.push(name);
    if (name === "content-transfer-encoding" && !encoding) encoding = m[2].trim().toLowerCase();
  }
  return { names, encoding };
}

/** `UID FETCH` over the raw client, its FETCH answers read with the strict grammar reader. */
async function uidFetch(imap: RawImap, tag: string, text: string): Promise<ParsedFetch[]> {
  const responses = await imap.command(tag, `UID FETCH ${text}`);
  const last = responses[responses.length - 1];
  expect(last.line, `UID FETCH ${text.slice(0, 200)}`).toMatch(new RegExp(`^${tag} OK`));
  return readFetchResponses(Buffer.concat(responses.map((r) => r.raw)));
}

/** A field name we may ask for as an atom: RFC 5322 ftext without the IMAP atom-specials ( ) { % * " \ ]. */
const FIELD_NAME = /^[!#$&'+-9;-Z[^-z|~]+$/;

describe("FETCH over a socket", () => {
  let server: TestEider;
  let user: TestUser;
  let imap: RawImap;
  let sources: Buffer[];
  let uploaded: Buffer;
  let lmtpPort: number;

  beforeAll(async () => {
    server = await startTestEider();
    user = await createUser(server.url, "fetcher", [ADDRESS]);
    lmtpPort = server.eider.lmtp!.port;
    sources = sample().map(toCrlf);
    await deliver(lmtpPort, sources);
    uploaded = corpusMessages(7)[3]; // as read from the corpus, line ends and all
    const up = await upload(server.url, user, uploaded);
    expect(up.errors).toBeUndefined();
    imap = await RawImap.connect(server.eider.imap!.port);
    await imap.next();
    expect((await imap.status("l", "LOGIN fetcher pw-fetcher-secret")).status).toBe("OK");
    expect((await imap.status("s", "SELECT INBOX")).status).toBe("OK");
  }, 120_000);
  afterAll(async () => {
    imap?.destroy();
    await server?.stop();
  });

  it("gives back every delivered message byte-exact over BODY[] (after LMTP's trace lines), and the upload exactly", async () => {
    const answers = await uidFetch(imap, "f1", "1:* (BODY.PEEK[] RFC822.SIZE)");
    expect(answers).toHaveLength(sources.length + 1);
    answers.slice(0, sources.length).forEach((answer, i) => {
      const stored = answer.attributes.get("BODY[]") as Buffer;
      expect(answer.attributes.get("RFC822.SIZE")).toBe(stored.length);
      expectTraceThenData(stored, sources[i], SENDER, ADDRESS, lmtpPort);
    });
    expect((answers[sources.length].attributes.get("BODY[]") as Buffer).equals(uploaded)).toBe(true);
  }, 60_000);

  it("answers every part's BODY[n], BODY[n.MIME] and the header's HEADER.FIELDS as mailparser sees the message", async () => {
    const whole = await uidFetch(imap, "f2", "1:* (BODY.PEEK[])");
    let parts = 0;
    let fields = 0;
    for (const [i, answer] of whole.entries()) {
      const uid = answer.attributes.get("UID") as number;
      const stored = answer.attributes.get("BODY[]") as Buffer;
      const parsed = await simpleParser(stored, {
        skipHtmlToText: true,
        skipTextToHtml: true,
        skipTextLinks: true,
      });
      const names = [...new Set(parsed.headerLines.map((l) => l.key))].filter((k) => FIELD_NAME.test(k));
      const withId = parsed.attachments.filter((a) => a.partId);
      const items = [
        `BODY.PEEK[HEADER.FIELDS (${names.join(" ")})]`,
        ...withId.flatMap((a) => [`BODY.PEEK[${a.partId}]`, `BODY.PEEK[${a.partId}.MIME]`]),
      ];
      const [got] = await uidFetch(imap, `p${i}`, `${uid} (${items.join(" ")})`);
      const header = got.attributes.get(
        `BODY[HEADER.FIELDS (${names.map((n) => n.toUpperCase()).join(" ")})]`,
      );
      // Fields come back as stored: a message uploaded with bare LFs keeps them; the blank line is CRLF.
      const eol = stored[stored.indexOf(10) - 1] === 13 ? "\r\n" : "\n";
      const expected = parsed.headerLines
        .filter((l) => names.includes(l.key))
        .map((l) => `${l.line.replace(/\r\n/g, eol)}${eol}`) // mailparser joins folded lines with CRLF
        .join("");
      expect((header as Buffer).toString("binary"), `HEADER.FIELDS of UID ${uid}`).toBe(
        Buffer.from(`${expected}\r\n`, "latin1").toString("binary"),
      );
      fields += names.length;
      for (const attachment of withId) {
        const mime = got.attributes.get(`BODY[${attachment.partId}.MIME]`) as Buffer;
        const body = got.attributes.get(`BODY[${attachment.partId}]`) as Buffer;
        const { names: mimeNames, encoding } = mimeFields(mime);
        expect(mimeNames.sort(), `BODY[${attachment.partId}.MIME] of UID ${uid}`).toEqual(
          [...attachment.headers.keys()].sort(),
        );
        expect(
          decodeTransfer(body, encoding).equals(attachment.content),
          `BODY[${attachment.partId}] of UID ${uid}`,
        ).toBe(true);
        parts++;
      }
    }
    console.log(
      `FETCH parts: ${whole.length} messages, ${parts} parts, ${fields} header fields checked against mailparser`,
    );
    expect(parts).toBeGreaterThan(100);
  }, 60_000);

  it("sets \\Seen with BODY[] and tells FLAGS once in that answer; BODY.PEEK[] leaves flags alone", async () => {
    const peek = await imap.command("s1", "FETCH 2 (BODY.PEEK[TEXT])");
    expect(peek.map((r) => r.line)).toEqual([
      "* 2 FETCH (BODY[TEXT] {" + peek[0].literals[0].length + "})",
      "s1 OK FETCH completed.",
    ]);
    const read = await imap.command("s2", "FETCH 2 (BODY[TEXT])");
    expect(read.map((r) => r.line)).toEqual([
      `* 2 FETCH (BODY[TEXT] {${read[0].literals[0].length}} FLAGS (\\Seen))`,
      "s2 OK FETCH completed.",
    ]);
    const flags = await imap.command("s3", "FETCH 2 FLAGS");
    expect(flags.map((r) => r.line)).toEqual(["* 2 FETCH (FLAGS (\\Seen))", "s3 OK FETCH completed."]);
  });

  it("answers BAD quoting an unknown item, and BAD for a sequence number past the end", async () => {
    expect((await imap.status("b1", "FETCH 1 (FLAGS BODY.PEAK[])")).line).toMatch(/^b1 BAD .*"BODY\.PEAK\[/);
    expect((await imap.status("b2", "FETCH 1 (FLAGS XYZZY)")).line).toMatch(/^b2 BAD .*"XYZZY"/);
    expect((await imap.status("b3", `FETCH ${sources.length + 5} FLAGS`)).line).toMatch(/^b3 BAD /);
  });

  it("is read by imapflow: envelope, body structure, flags, dates, size, source and body parts", async () => {
    const client = new ImapFlow({
      host: "127.0.0.1",
      port: server.eider.imap!.port,
      secure: false,
      auth: { user: "fetcher", pass: "pw-fetcher-secret" },
      logger: false,
      doSTARTTLS: false,
    });
    await client.connect();
    try {
      await client.mailboxOpen("INBOX", { readOnly: true });
      const [first] = await uidFetch(imap, "e1", "1 (ENVELOPE BODYSTRUCTURE)");
      const message = await client.fetchOne(
        "1",
        {
          uid: true,
          flags: true,
          envelope: true,
          bodyStructure: true,
          internalDate: true,
          size: true,
          source: true,
          headers: ["subject"],
          bodyParts: ["1"],
        },
        { uid: true },
      );
      expect(message).not.toBe(false);
      if (message === false) return;
      const envelope = first.attributes.get("ENVELOPE") as {
        subject: string | null;
        messageId: string | null;
      };
      expect(message.envelope?.messageId ?? null).toBe(envelope.messageId);
      expect(message.source?.subarray(-sources[0].length).equals(sources[0])).toBe(true);
      expect(message.size).toBe(message.source?.length);
      expect(message.internalDate).toBeInstanceOf(Date);
      const structure = first.attributes.get("BODYSTRUCTURE") as ParsedBody;
      expect(message.bodyStructure?.type).toBe(
        structure.parts
          ? `multipart/${structure.subtype}`.toLowerCase()
          : `${structure.type}/${structure.subtype}`.toLowerCase(),
      );
      expect(message.headers?.toString()).toMatch(/^(Subject:|\r\n$)/i);
      expect(message.bodyParts?.get("1")).toBeInstanceOf(Buffer);
      // ALL through imapflow's own parser: the addresses it reads are the ones mailparser reads.
      const all = await client.fetchOne("1", { envelope: true }, { uid: true });
      const parsed = await simpleParser(sources[0]);
      const from = (parsed.from as AddressObject | undefined)?.value[0]?.address?.toLowerCase();
      if (all !== false && from) expect(all.envelope?.from?.[0]?.address?.toLowerCase()).toBe(from);
    } finally {
      await client.logout();
    }
  });

  it("stops at the daily download allowance with NO [LIMIT] after the answers that fit; metadata is not counted", async () => {
    const limited = await startTestEider({ env: { EIDER_IMAP_DOWNLOAD_BYTES_PER_DAY: "250" } });
    try {
      const reader = await createUser(limited.url, "reader");
      const message = (n: number) => Buffer.from(`Subject: ${n}\r\n\r\n${"d".repeat(84)}\r\n`); // 100 bytes
      for (let n = 1; n <= 3; n++)
        expect((await upload(limited.url, reader, message(n))).errors).toBeUndefined();
      const limitedImap = await RawImap.connect(limited.eider.imap!.port);
      try {
        await limitedImap.next();
        await limitedImap.status("l", "LOGIN reader pw-reader-secret");
        await limitedImap.status("s", "SELECT INBOX");
        const lines = async (tag: string, command: string) =>
          (await limitedImap.command(tag, command)).map((r) => r.line);
        expect(await lines("d1", "FETCH 1:* (BODY.PEEK[])")).toEqual([
          "* 1 FETCH (BODY[] {100})",
          "* 2 FETCH (BODY[] {100})",
          expect.stringMatching(
            /^d1 NO \[LIMIT\] The daily download allowance of 250 bytes would be exceeded by 50 bytes/,
          ),
        ]);
        expect(await lines("d2", "FETCH 1:3 (FLAGS RFC822.SIZE ENVELOPE)")).toHaveLength(4);
        expect(await lines("d3", "FETCH 3 (BODY.PEEK[HEADER])")).toEqual([
          "* 3 FETCH (BODY[HEADER] {14})",
          "d3 OK FETCH completed.",
        ]);
      } finally {
        limitedImap.destroy();
      }
    } finally {
      await limited.stop();
    }
  });
});

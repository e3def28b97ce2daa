// The direct transport against real smtp-servers on loopback addresses, with MX answers from a stub resolver:
// preference order, falling to the next MX, the implicit MX (A record), null MX, a domain that does not exist.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { directMx } from "../../src/outbound/direct-mx.js";
import { smarthost } from "../../src/outbound/smarthost.js";
import { freePort } from "../harness/services.js";
import { stubResolver, type StubZone } from "../../sidecars/mx/stub-resolver.js";
import { SmtpSink } from "../harness/smtp-sink.js";

const RAW = Buffer.from("From: alice@eider.test\r\nTo: bob@remote.test\r\nSubject: Hi\r\n\r\nHello\r\n");
const message = (recipients: string[]) => ({ mailFrom: "alice@eider.test", recipients, raw: RAW });

describe("Outbound: direct to the recipient domain's MX", () => {
  // Two servers on one port and two loopback addresses; 127.0.0.4 has none (connection refused).
  const mx1 = new SmtpSink();
  const mx2 = new SmtpSink();
  let port: number;
  const zone: StubZone = {
    "remote.test": {
      MX: [
        { exchange: "mx2.remote.test", priority: 20 },
        { exchange: "mx1.remote.test", priority: 10 },
      ],
    },
    "mx1.remote.test": { A: ["127.0.0.2"] },
    "mx2.remote.test": { A: ["127.0.0.3"] },
    "down.test": {
      MX: [
        { exchange: "dead.down.test", priority: 5 },
        { exchange: "mx2.remote.test", priority: 10 },
      ],
    },
    "dead.down.test": { A: ["127.0.0.4"] },
    "plain.test": { A: ["127.0.0.3"] },
    "nomail.test": { MX: [{ exchange: "", priority: 0 }] },
    "gone.test": { MX: [{ exchange: "dead.down.test", priority: 0 }] },
  };
  const transport = () => directMx({ name: "out.eider.test", port, resolve: stubResolver(zone) });

  beforeAll(async () => {
    port = await mx1.listen(0, "127.0.0.2");
    await mx2.listen(port, "127.0.0.3");
  });
  afterAll(async () => {
    await mx1.close();
    await mx2.close();
  });
  beforeEach(() => {
    mx1.received.length = 0;
    mx2.received.length = 0;
    mx1.rcptAnswer = () => null;
  });

  it("sends to the most preferred MX, with our EHLO name, over STARTTLS, answering per recipient", async () => {
    mx1.rcptAnswer = (a) =>
      a === "nobody@remote.test" ? { code: 550, message: "5.1.1 No such user" } : null;
    const result = await transport().deliver(message(["bob@remote.test", "nobody@remote.test"]));
    expect(result.accepted).toEqual([
      { recipient: "bob@remote.test", response: expect.stringMatching(/^250 /) },
    ]);
    expect(result.refused).toEqual([
      { recipient: "nobody@remote.test", response: "550 5.1.1 No such user", permanent: true },
    ]);
    expect(mx1.received).toHaveLength(1);
    expect(mx1.received[0]).toMatchObject({
      clientName: "out.eider.test",
      secure: true,
      rcptTo: ["bob@remote.test"],
    });
    expect(mx1.received[0].raw.equals(RAW)).toBe(true);
    expect(mx2.received).toHaveLength(0);
  });

  it("falls to the next MX when the preferred one cannot be reached", async () => {
    const result = await transport().deliver(message(["bob@down.test"]));
    expect(result.refused).toEqual([]);
    expect(mx2.received.map((m) => m.rcptTo)).toEqual([["bob@down.test"]]);
  });

  it("sends to the domain's own address when it has no MX record (the implicit MX)", async () => {
    const result = await transport().deliver(message(["bob@plain.test"]));
    expect(result.accepted.map((a) => a.recipient)).toEqual(["bob@plain.test"]);
    expect(mx2.received.map((m) => m.rcptTo)).toEqual([["bob@plain.test"]]);
  });

  it("refuses for good a domain with a null MX and one that does not exist, without connecting", async () => {
    const result = await transport().deliver(message(["a@nomail.test", "b@nowhere.test"]));
    expect(result.accepted).toEqual([]);
    expect(result.refused).toEqual([
      {
        recipient: "a@nomail.test",
        response: "556 5.1.10 The domain nomail.test accepts no mail (null MX).",
        permanent: true,
      },
      {
        recipient: "b@nowhere.test",
        response: "550 5.1.2 The domain nowhere.test does not exist (no DNS name).",
        permanent: true,
      },
    ]);
    expect(mx1.received.length + mx2.received.length).toBe(0);
  });

  it("refuses for now, naming each host tried, when no MX can be reached", async () => {
    const result = await transport().deliver(message(["bob@gone.test"]));
    expect(result.refused).toEqual([
      {
        recipient: "bob@gone.test",
        response: expect.stringMatching(
          /^No mail server of gone\.test took the message: dead\.down\.test \[127\.0\.0\.4\]: .*ECONNREFUSED/,
        ),
        permanent: false,
      },
    ]);
  });

  it("makes one transaction per domain when recipients of two domains are given at once", async () => {
    const result = await transport().deliver(
      message(["bob@remote.test", "carol@plain.test", "dave@remote.test"]),
    );
    expect(result.accepted.map((a) => a.recipient).sort()).toEqual([
      "bob@remote.test",
      "carol@plain.test",
      "dave@remote.test",
    ]);
    expect(mx1.received.map((m) => m.rcptTo)).toEqual([["bob@remote.test", "dave@remote.test"]]);
    expect(mx2.received.map((m) => m.rcptTo)).toEqual([["carol@plain.test"]]);
  });
});

describe("Outbound: the smarthost transport's edges", () => {
  it("declares BODY=8BITMIME for 8-bit mail and the size, and sends the bytes unchanged", async () => {
    const sink = new SmtpSink({ starttls: false, size: 1_000_000 });
    try {
      const relay = smarthost(`smtp://127.0.0.1:${await sink.listen()}`, { name: "out.eider.test" });
      const raw = Buffer.from(
        "From: a@eider.test\r\nSubject: Grüße\r\nContent-Transfer-Encoding: 8bit\r\n\r\nZürich\r\n",
      );
      const result = await relay.deliver({ mailFrom: "a@eider.test", recipients: ["b@remote.test"], raw });
      expect(result.refused).toEqual([]);
      const [got] = await sink.waitForMessages(1);
      expect(got.mailParams).toMatchObject({ BODY: "8BITMIME", SIZE: String(raw.length) });
      expect(got.raw.equals(raw)).toBe(true);
    } finally {
      await sink.close();
    }
  });

  it("refuses for good a message larger than the SIZE the server announces (552), sending nothing", async () => {
    const sink = new SmtpSink({ starttls: false, size: 100 });
    try {
      const relay = smarthost(`smtp://127.0.0.1:${await sink.listen()}`, { name: "out.eider.test" });
      const raw = Buffer.from(`Subject: big\r\n\r\n${"x".repeat(200)}\r\n`);
      const result = await relay.deliver({ mailFrom: "a@eider.test", recipients: ["b@remote.test"], raw });
      expect(result.accepted).toEqual([]);
      expect(result.refused).toEqual([
        { recipient: "b@remote.test", response: expect.stringMatching(/^552 5\.3\.4 /), permanent: true },
      ]);
      expect(sink.dataSeen).toBe(0);
    } finally {
      await sink.close();
    }
  });

  it("refuses for now every recipient when the relay cannot be reached, naming it", async () => {
    const port = await freePort();
    const relay = smarthost(`smtp://127.0.0.1:${port}`, { name: "out.eider.test" });
    const result = await relay.deliver({
      mailFrom: "a@eider.test",
      recipients: ["b@x.test", "c@y.test"],
      raw: RAW,
    });
    expect(result.refused).toEqual(
      ["b@x.test", "c@y.test"].map((recipient) => ({
        recipient,
        response: expect.stringMatching(new RegExp(`^127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`)),
        permanent: false,
      })),
    );
  });

  it("refuses a relay URL it cannot use, quoting it", () => {
    expect(() => smarthost("http://relay:25", { name: "x" })).toThrow(
      'Relay "http://relay:25" must start with smtp:// or smtps://.',
    );
    expect(() => smarthost("smtp://relay:25?pool=true", { name: "x" })).toThrow(/Relay option "pool"/);
  });
});

// Eider's LMTP takes XCLIENT (how the MX passes on its internet client) only from [lmtp] xclient_networks.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestEider, type TestEider } from "../../../test/harness/eider.js";
import { rawSmtp } from "./harness.js";

describe("LMTP XCLIENT from the MX", () => {
  let trusted: TestEider;
  let untrusted: TestEider;
  beforeAll(async () => {
    trusted = await startTestEider();
    untrusted = await startTestEider({ env: { EIDER_LMTP_XCLIENT_NETWORKS: "10.0.0.0/8" } });
  });
  afterAll(async () => {
    await trusted?.stop();
    await untrusted?.stop();
  });

  it("is offered to and accepted from a listed network (loopback by default); the session greets again", async () => {
    const replies = await rawSmtp(trusted.eider.lmtp!.port, [
      { send: "LHLO mx.eider.test\r\n", replies: 1 },
      {
        send: "XCLIENT ADDR=192.0.2.7 NAME=[UNAVAILABLE] HELO=client+2Eremote.test PROTO=ESMTP\r\n",
        replies: 1,
      },
      { send: "LHLO mx.eider.test\r\n", replies: 1 },
      // XCLIENT ADDR hands the session over: no second one.
      { send: "XCLIENT ADDR=192.0.2.8\r\n", replies: 1 },
    ]);
    expect(replies[2]).toMatch(/^220 /);
    expect(replies[4]).toMatch(/^550 /);
  });

  it("is neither offered to nor accepted from a peer outside the list", async () => {
    const replies = await rawSmtp(untrusted.eider.lmtp!.port, [
      { send: "LHLO mx.eider.test\r\n", replies: 1 },
      { send: "XCLIENT ADDR=192.0.2.7\r\n", replies: 1 },
    ]);
    expect(replies[2]).toMatch(/^550 /);
  });
});

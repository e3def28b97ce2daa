// Bad input the domain refuses the same way everywhere: empty messages, keywords that are not IMAP atoms,
// addresses with the root's trailing dot, states the server never gave out, subscriptions over plain
// HTTP; and downloads that can never run as a page in the API's origin.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  ADMIN_TOKEN,
  createUser,
  errorCode,
  gql,
  gqlOk,
  startTestEider,
  upload,
  type TestEider,
  type TestUser,
} from "../harness/eider.js";
import { messageWithAttachment, simpleMessage } from "./fixtures.js";

describe("GraphQL API and downloads: input rules", () => {
  let server: TestEider;
  let url: string;
  let user: TestUser;

  beforeAll(async () => {
    server = await startTestEider();
    url = server.url;
    user = await createUser(url, "rules", ["dotty@example.com"]);
  });
  afterAll(async () => server?.stop());

  const storageUsed = async () => (await gqlOk(url, `{ me { storageUsed } }`, {}, user.token)).me.storageUsed;

  it("refuses a 0-byte message over GraphQL (INVALID_INPUT) and over POST /upload (400), storing nothing", async () => {
    const before = await storageUsed();
    const res = await upload(url, user, Buffer.alloc(0));
    expect(errorCode(res)).toBe("INVALID_INPUT");
    expect(res.errors![0].message).toMatch(/empty/);
    const raw = await fetch(`${url}/upload/${user.inbox}`, {
      method: "POST",
      headers: { authorization: `Bearer ${user.token}`, "content-type": "message/rfc822" },
      body: Buffer.alloc(0),
    });
    expect(raw.status).toBe(400);
    expect(((await raw.json()) as any).error.code).toBe("INVALID_INPUT");
    expect(await storageUsed()).toBe(before);
  });

  it("refuses keywords that are not IMAP atoms, on upload and on setFlags", async () => {
    const stored = (await upload(url, user, simpleMessage(), user.inbox, ["$Work"])).data.uploadMessage;
    for (const keyword of [
      "a\u00a0b",
      "a\u200bb",
      "\u0420\u0430\u0431\u043e\u0442\u0430",
      "a\u2028b",
      "a\u0007b",
      "a(b",
    ]) {
      expect(errorCode(await upload(url, user, simpleMessage(), user.inbox, [keyword]))).toBe(
        "INVALID_INPUT",
      );
      const set = await gql(
        url,
        `mutation($ids: [ID!]!, $f: [String!]!) { setFlags(ids: $ids, op: ADD, flags: $f) { flags } }`,
        { ids: [stored.id], f: [keyword] },
        user.token,
      );
      expect(errorCode(set)).toBe("INVALID_INPUT");
    }
    const flags = await gqlOk(
      url,
      `query($id: ID!) { message(id: $id) { flags } }`,
      { id: stored.id },
      user.token,
    );
    expect(flags.message.flags).toEqual(["$Work"]);
  });

  it("treats an address with the root's trailing dot as the same address, and refuses empty labels", async () => {
    const other = await createUser(url, "rules-other");
    const add = (address: string) =>
      gql(
        url,
        `mutation($u: ID!, $a: String!) { addAddress(userId: $u, address: $a) { normalized } }`,
        { u: other.id, a: address },
        ADMIN_TOKEN,
      );
    expect(errorCode(await add("Dotty@Example.com."))).toBe("ALREADY_EXISTS");
    expect(errorCode(await add("dotty@example..com"))).toBe("INVALID_INPUT");
    expect(errorCode(await add("dotty@."))).toBe("INVALID_INPUT");
    expect((await add("other@Example.org.")).data.addAddress.normalized).toBe("other@example.org");
  });

  it("answers changes(sinceState) with a state it never gave out in the client's own words", async () => {
    const res = await gql(url, `{ changes(sinceState: "bogus") { newState } }`, {}, user.token);
    expect(errorCode(res)).toBe("INVALID_INPUT");
    expect(res.errors![0].message).toContain('"bogus"');
    expect(res.errors![0].message).not.toContain("-1");
  });

  it("answers a subscription sent over HTTP with 400 BAD_REQUEST, and logs no error", async () => {
    const logged = vi.spyOn(server.eider.logger, "error");
    const res = await fetch(`${url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${user.token}` },
      body: JSON.stringify({
        query: `subscription($m: ID!) { mailboxChanged(mailboxId: $m) { type } }`,
        variables: { m: user.inbox },
      }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as any;
    expect(body.errors[0].extensions.code).toBe("BAD_REQUEST");
    expect(body.errors[0].message).toMatch(/WebSocket/);
    expect(JSON.stringify(body)).not.toMatch(/stacktrace|at .*\.js/);
    expect(logged).not.toHaveBeenCalled();
    logged.mockRestore();
  });

  it("serves downloads as attachments that cannot run: nosniff, CSP sandbox, no-store, no HTML type", async () => {
    const raw = messageWithAttachment(Buffer.from("%PDF-1.4 fake"), { filename: 'evil\\"; name=x.html' });
    const id = (await upload(url, user, raw)).data.uploadMessage.id;
    const get = (path: string) =>
      fetch(`${url}/download/${id}/${path}`, { headers: { authorization: `Bearer ${user.token}` } });
    const safe = (res: Response) => {
      expect(res.status).toBe(200);
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("content-security-policy")).toMatch(/sandbox/);
      expect(res.headers.get("content-security-policy")).toMatch(/default-src 'none'/);
      expect(res.headers.get("cache-control")).toMatch(/no-store/);
      expect(res.headers.get("content-disposition")).toMatch(/^attachment;/);
    };
    const whole = await get("raw");
    safe(whole);
    expect(whole.headers.get("content-type")).toBe("message/rfc822");
    expect(Buffer.from(await whole.arrayBuffer()).equals(raw)).toBe(true);
    // 1.2 is the text/html alternative: served as opaque bytes, never as text/html.
    const html = await get("part/1.2");
    safe(html);
    expect(html.headers.get("content-type")).toBe("application/octet-stream");
    expect(await html.text()).toContain("<b>quarterly</b>");
    // The PDF keeps its type; its hostile filename cannot break out of the header's quoted string.
    const pdf = await get("part/2");
    safe(pdf);
    expect(pdf.headers.get("content-type")).toBe("application/pdf");
    const disposition = pdf.headers.get("content-disposition")!;
    expect(disposition).toMatch(/^attachment; filename="[^"\\]*"; filename\*=UTF-8''[\w%.~!$&+^`|-]*$/);
  });
});

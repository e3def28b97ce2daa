// DKIM keys over GraphQL: the admin generates, imports, lists, reads and deletes; a user is FORBIDDEN; bad input gets
// INVALID_INPUT with the reason; the private key is never in an answer.
import { generateKeyPairSync } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ADMIN_TOKEN,
  createUser,
  errorCode,
  gql,
  gqlOk,
  startTestEider,
  type TestEider,
  type TestUser,
} from "../harness/eider.js";

const FIELDS = "domain selector algorithm dnsName dnsValue dnsTxtStrings dnsZoneLine createdAt";
const CREATE = `mutation($i: CreateDkimKeyInput!) { createDkimKey(input: $i) { ${FIELDS} } }`;

describe("API: DKIM keys (admin)", () => {
  let server: TestEider;
  let user: TestUser;
  beforeAll(async () => {
    server = await startTestEider();
    user = await createUser(server.url, "dkimuser", ["user@dkim-api.example"]);
  });
  afterAll(() => server?.stop());

  const admin = (query: string, vars: Record<string, unknown> = {}) =>
    gqlOk(server.url, query, vars, ADMIN_TOKEN);

  it("generates, imports, lists, reads and deletes keys", async () => {
    const generated = (await admin(CREATE, { i: { domain: "Gen.DKIM-api.example", selector: "s2026" } }))
      .createDkimKey;
    expect(generated).toMatchObject({
      domain: "gen.dkim-api.example",
      selector: "s2026",
      algorithm: "RSA_SHA256",
      dnsName: "s2026._domainkey.gen.dkim-api.example",
    });
    expect(generated.dnsValue).toMatch(/^v=DKIM1; k=rsa; p=/);
    expect(generated.dnsTxtStrings.join("")).toBe(generated.dnsValue);
    const pem = generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const imported = (
      await admin(CREATE, { i: { domain: "imp.dkim-api.example", selector: "ed", privateKeyPem: pem } })
    ).createDkimKey;
    expect(imported).toMatchObject({
      algorithm: "ED25519_SHA256",
      dnsValue: expect.stringMatching(/^v=DKIM1; k=ed25519; p=/),
    });
    const listed = (await admin(`{ dkimKeys { ${FIELDS} } }`)).dkimKeys;
    expect(listed).toEqual([generated, imported]);
    expect(JSON.stringify(listed)).not.toMatch(/PRIVATE|BEGIN/);
    expect(
      (await admin(`query($d: String!) { dkimKey(domain: $d) { ${FIELDS} } }`, { d: "imp.dkim-api.example" }))
        .dkimKey,
    ).toEqual(imported);
    const del = `mutation($d: String!) { deleteDkimKey(domain: $d) }`;
    expect((await admin(del, { d: "imp.dkim-api.example" })).deleteDkimKey).toBe(true);
    expect((await admin(del, { d: "imp.dkim-api.example" })).deleteDkimKey).toBe(false);
    const missing = await gql(
      server.url,
      `{ dkimKey(domain: "imp.dkim-api.example") { domain } }`,
      {},
      ADMIN_TOKEN,
    );
    expect(errorCode(missing)).toBe("NOT_FOUND");
  });

  it("answers a bad key or a second key for a domain with a clear error, and stores nothing", async () => {
    const bad = await gql(
      server.url,
      CREATE,
      { i: { domain: "bad.dkim-api.example", selector: "s", privateKeyPem: "not a key" } },
      ADMIN_TOKEN,
    );
    expect(errorCode(bad)).toBe("INVALID_INPUT");
    expect(bad.errors![0].message).toBe(
      'The private key is not PEM: it needs a "-----BEGIN PRIVATE KEY-----" line.',
    );
    await admin(CREATE, {
      i: { domain: "twice.dkim-api.example", selector: "a", algorithm: "ED25519_SHA256" },
    });
    const again = await gql(
      server.url,
      CREATE,
      { i: { domain: "twice.dkim-api.example", selector: "b" } },
      ADMIN_TOKEN,
    );
    expect(errorCode(again)).toBe("ALREADY_EXISTS");
    const rotated = await admin(CREATE, {
      i: { domain: "twice.dkim-api.example", selector: "b", replace: true, algorithm: "ED25519_SHA256" },
    });
    expect(rotated.createDkimKey.selector).toBe("b");
    expect(
      (await admin(`{ dkimKeys { domain } }`)).dkimKeys.map((k: { domain: string }) => k.domain),
    ).not.toContain("bad.dkim-api.example");
  });

  it("refuses every DKIM operation to a user", async () => {
    for (const [query, vars] of [
      [`{ dkimKeys { domain } }`, {}],
      [`{ dkimKey(domain: "gen.dkim-api.example") { domain } }`, {}],
      [CREATE, { i: { domain: "dkim-api.example", selector: "mine", algorithm: "ED25519_SHA256" } }],
      [`mutation { deleteDkimKey(domain: "gen.dkim-api.example") }`, {}],
    ] as const) {
      const res = await gql(server.url, query, vars, user.token);
      expect(errorCode(res), query).toBe("FORBIDDEN");
    }
    expect((await admin(`{ dkimKey(domain: "gen.dkim-api.example") { selector } }`)).dkimKey.selector).toBe(
      "s2026",
    );
  });
});

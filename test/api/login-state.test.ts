// The account's state comes with the login answer (the request itself is still anonymous), and one user's
// state is not another's to read.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createUser,
  errorCode,
  gql,
  gqlOk,
  startTestEider,
  upload,
  type TestEider,
} from "../harness/eider.js";
import { simpleMessage } from "./fixtures.js";

describe("API: the account's state", () => {
  let server: TestEider;
  beforeAll(async () => {
    server = await startTestEider();
  });
  afterAll(() => server?.stop());

  it("is in the login answer, and equals me.state", async () => {
    const alice = await createUser(server.url, "stateful");
    await upload(server.url, alice, simpleMessage({ subject: "moves the state" }));
    const login = await gqlOk(
      server.url,
      `mutation { login(username: "stateful", password: "pw-stateful-secret") { token user { id state } } }`,
    );
    const me = await gqlOk(server.url, `{ me { state } }`, {}, login.login.token);
    expect(login.login.user.state).toBe(me.me.state);
    expect(Number(me.me.state)).toBeGreaterThan(0);
  });

  it("of another user is refused", async () => {
    const alice = await createUser(server.url, "state-a");
    const bob = await createUser(server.url, "state-b");
    const res = await gql(
      server.url,
      `query($id: ID!) { user(id: $id) { state } }`,
      { id: alice.id },
      bob.token,
    );
    expect(errorCode(res)).toBe("FORBIDDEN");
  });
});

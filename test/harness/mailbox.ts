// What a user holds, read the way the user would: log in over the GraphQL API with the password given to
// `eider user add`, list the mailboxes and download each message's raw bytes. For tests that deliver or drain
// mail with a real client and then check the store from outside.
import { downloadRaw, gqlOk } from "./eider.js";

export interface Holdings {
  storageUsed: number;
  /** Mailbox path -> raw messages, newest first. */
  boxes: Record<string, Buffer[]>;
}

export async function holdings(url: string, username: string, password: string): Promise<Holdings> {
  const login = await gqlOk(
    url,
    `mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }`,
    { u: username, p: password },
  );
  const token: string = login.login.token;
  const data = await gqlOk(
    url,
    `{ me { storageUsed } mailboxes { path messages(first: 100) { edges { node { id } } } } }`,
    {},
    token,
  );
  const boxes: Record<string, Buffer[]> = {};
  for (const box of data.mailboxes as Array<{
    path: string;
    messages: { edges: Array<{ node: { id: string } }> };
  }>)
    boxes[box.path] = await Promise.all(
      box.messages.edges.map(async (e) => {
        const raw = await downloadRaw(url, e.node.id, token);
        if (raw.status !== 200) throw new Error(`download of ${e.node.id} answered ${raw.status}`);
        return raw.body;
      }),
    );
  return { storageUsed: data.me.storageUsed, boxes };
}

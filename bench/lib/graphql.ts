// A small GraphQL client over fetch (HTTP keep-alive through undici's pool) and graphql-ws.
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";
import { ADMIN_TOKEN } from "./eider-process.js";

export interface GraphQLResponse<T> {
  data?: T;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
}

/** One request; throws on HTTP or GraphQL errors. `body` may be a prepared JSON string. */
export async function gql<T = any>(
  url: string,
  query: string | { body: string },
  variables: Record<string, unknown> = {},
  token?: string,
): Promise<T> {
  const res = await fetch(`${url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: typeof query === "string" ? JSON.stringify({ query, variables }) : query.body,
  });
  const json = (await res.json()) as GraphQLResponse<T>;
  if (json.errors?.length)
    throw new Error(
      `GraphQL error: ${json.errors.map((e) => `${e.extensions?.code ?? ""} ${e.message}`).join("; ")}`,
    );
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return json.data!;
}

export interface BenchUser {
  id: string;
  token: string;
  inbox: string;
}

export const PASSWORD = "bench-password-1";

/** Creates a user through the admin API (unless it exists) and logs it in. */
export async function createUser(url: string, username: string, exists = false): Promise<BenchUser> {
  if (!exists)
    await gql(
      url,
      `mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`,
      { i: { username, password: PASSWORD } },
      ADMIN_TOKEN,
    );
  return login(url, username);
}

export async function login(url: string, username: string): Promise<BenchUser> {
  const { login } = await gql(
    url,
    `mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token user { id } } }`,
    { u: username, p: PASSWORD },
  );
  const { mailboxes } = await gql<{ mailboxes: Array<{ id: string; path: string }> }>(
    url,
    `{ mailboxes { id path } }`,
    {},
    login.token,
  );
  return { id: login.user.id, token: login.token, inbox: mailboxes.find((m) => m.path === "INBOX")!.id };
}

/** A graphql-ws client for `url`, authenticated as `token`. */
export function wsClient(url: string, token: string): Client {
  return createClient({
    url: `${url.replace(/^http/, "ws")}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
    lazy: false,
  });
}

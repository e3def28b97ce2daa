import { describe, expect, it } from "vitest";
import { isRelayLogin, relayCredentials } from "./relay-credentials.js";

describe("relay credentials", () => {
  it("come from zonemta_url, percent-decoded; none without a URL or a password", () => {
    expect(relayCredentials("smtp://eider:s%40cret%2F1@zonemta:2525")).toEqual({
      username: "eider",
      password: "s@cret/1",
    });
    expect(relayCredentials("")).toBeNull();
    expect(relayCredentials("smtp://zonemta:2525")).toBeNull();
  });

  it("match only the exact username and password", () => {
    const creds = relayCredentials("smtp://eider:secret@zonemta:2525");
    expect(isRelayLogin(creds, "eider", "secret")).toBe(true);
    expect(isRelayLogin(creds, "eider", "secret ")).toBe(false);
    expect(isRelayLogin(creds, "Eider", "secret")).toBe(false);
    expect(isRelayLogin(creds, "alice", "secret")).toBe(false);
    expect(isRelayLogin(null, "eider", "secret")).toBe(false);
  });
});

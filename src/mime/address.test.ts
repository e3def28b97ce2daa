import { describe, expect, it } from "vitest";
import { parseAddressList, toMailAddresses } from "./address.js";

const decoded = (value: string) => toMailAddresses(parseAddressList(value));

describe("Mime: address lists", () => {
  it.each([
    ["a bare address", "jo@example.com", [{ name: "", address: "jo@example.com" }]],
    [
      "an angle address with a phrase",
      "Jo Smith <jo@example.com>",
      [{ name: "Jo Smith", address: "jo@example.com" }],
    ],
    [
      "a quoted phrase with a comma",
      '"Smith, Jo" <jo@example.com>, b@example.org',
      [
        { name: "Smith, Jo", address: "jo@example.com" },
        { name: "", address: "b@example.org" },
      ],
    ],
    ["a comment as the name", "jo@example.com (Jo Smith)", [{ name: "Jo Smith", address: "jo@example.com" }]],
    [
      "an encoded-word phrase",
      "=?UTF-8?Q?J=C3=B6rg?= <j@example.de>",
      [{ name: "Jörg", address: "j@example.de" }],
    ],
    ["an empty group", "undisclosed-recipients:;", [{ name: "undisclosed-recipients", address: "" }]],
    [
      "a group with members",
      "Team: a@x.org, B <b@x.org>;, c@y.org",
      [
        { name: "", address: "a@x.org" },
        { name: "B", address: "b@x.org" },
        { name: "", address: "c@y.org" },
      ],
    ],
    ["a source route", "<@relay.example:jo@example.com>", [{ name: "", address: "jo@example.com" }]],
    ["a quoted local part", '"jo smith"@example.com', [{ name: "", address: '"jo smith"@example.com' }]],
    ["a name without address", "Just A Name", [{ name: "Just A Name", address: "" }]],
    ["empty input", "", []],
    ["stray commas", ",, a@b.c ,", [{ name: "", address: "a@b.c" }]],
    ["an unclosed angle bracket", "Jo <jo@example.com", [{ name: "Jo", address: "jo@example.com" }]],
  ])("reads %s", (_name, value, expected) => {
    expect(decoded(value)).toEqual(expected);
  });

  it("keeps groups and routes for the IMAP envelope", () => {
    expect(parseAddressList("G: <@r.example:a@b.c>;")).toEqual([
      {
        kind: "group",
        name: "G",
        members: [{ kind: "address", name: "", route: "@r.example", address: "a@b.c" }],
      },
    ]);
  });
});

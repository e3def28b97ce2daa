// APPEND with APPENDUID (RFC 4315) and APPENDLIMIT (RFC 7889). The receiver refuses a literal over the limit
// before reading it; the core refuses what it cannot store (size, quota, an empty message) and counts the
// daily upload allowance.
import { isDomainError } from "../../../src/core/index.js";
import { parseAppend } from "../protocol/parse/append.js";
import type { CommandSpec } from "./context.js";
import { authenticatedCommand, userOf, utf8Of } from "./session-helpers.js";

const APPEND = authenticatedCommand("APPEND", async (session, request) => {
  const { path, flags, internalDate, message } = parseAppend(request.args, utf8Of(session));
  const p = userOf(session);
  // The daily upload allowance counts bytes the client sent, stored or not: past it, NO [LIMIT].
  await session.core.transfers.charge(p, "upload", message.length);
  try {
    const stored = await session.core.uidMailboxes.appendByPath(p, path, message, {
      flags,
      internalDate,
    });
    return {
      status: "OK",
      code: `APPENDUID ${stored.uidValidity} ${stored.uid}`,
      text: "APPEND completed.",
    };
  } catch (err) {
    // RFC 3501 §6.3.11: a missing target mailbox says TRYCREATE, so the client may CREATE it and retry.
    if (isDomainError(err) && err.code === "NOT_FOUND")
      return { status: "NO", code: "TRYCREATE", text: `Mailbox "${path}" does not exist.` };
    throw err;
  }
});

export const APPEND_COMMANDS: CommandSpec[] = [APPEND];

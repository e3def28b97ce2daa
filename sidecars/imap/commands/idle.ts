// IDLE (RFC 2177): after `+ idling`, every change of the selected mailbox is written as it arrives from the
// core's watch (so from any instance, through the bus), `* OK Still here` keeps NATs open, DONE ends it.
// Without a mailbox selected, IDLE only keeps the connection alive.
import type { ImapRequest } from "../protocol/request.js";
import { selectedView } from "../selected.js";
import { AUTHENTICATED, type CommandSpec, type ImapSession, type TaggedResult } from "./context.js";

async function idle(session: ImapSession, request: ImapRequest): Promise<TaggedResult> {
  if (request.args.length > 0) return { status: "BAD", text: "IDLE takes no arguments." };
  const view = session.selected ? selectedView(session) : null;
  const done = session.continuation("idling");
  let writing: Promise<void> = Promise.resolve();
  const push = () => {
    writing = writing.then(() => view?.flush(session, { expunges: true })).catch(() => undefined);
  };
  const stop = view?.onChange(push);
  push(); // what arrived before IDLE and was not yet told
  const keepalive = setInterval(
    () => session.untagged("OK Still here"),
    session.options.limits.idleKeepaliveMs,
  );
  try {
    const line = await done;
    if (line === null) return { status: "BAD", text: "The client went away during IDLE." };
    if (line.trim().toUpperCase() !== "DONE")
      return { status: "BAD", text: `Expected DONE to end IDLE, not "${line.slice(0, 40)}".` };
    return { status: "OK", text: "IDLE terminated." };
  } finally {
    clearInterval(keepalive);
    stop?.();
    await writing;
  }
}

export const IDLE_COMMANDS: CommandSpec[] = [
  { name: "IDLE", states: AUTHENTICATED, expunges: true, handle: idle },
];

// LIST (LIST-EXTENDED, LIST-STATUS, SPECIAL-USE), LSUB, CREATE, DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE, STATUS, NAMESPACE.
import type { CommandSpec } from "./context.js";

export const MAILBOX_COMMANDS: CommandSpec[] = [];

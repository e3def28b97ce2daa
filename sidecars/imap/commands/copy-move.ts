// COPY, MOVE and their UID forms, answering COPYUID (RFC 4315, RFC 6851).
import type { CommandSpec } from "./context.js";

export const COPY_MOVE_COMMANDS: CommandSpec[] = [];

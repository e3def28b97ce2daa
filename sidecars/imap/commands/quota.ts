// GETQUOTA, GETQUOTAROOT (RFC 9208).
import type { CommandSpec } from "./context.js";

export const QUOTA_COMMANDS: CommandSpec[] = [];

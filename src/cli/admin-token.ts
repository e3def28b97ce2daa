// `eider admin-token [--rotate]`: the token alone on stdout (for TOKEN=$(eider admin-token)), notes on stderr.
import { resolveAdminToken, rotateAdminToken } from "../config/admin-token.js";
import type { EiderConfig } from "../config/config.js";
import { expectOptions, expectPositional, flag, type ParsedArgs } from "./args.js";

export function adminTokenCommand(config: EiderConfig, args: ParsedArgs): number {
  expectOptions(args, "admin-token", ["rotate"]);
  expectPositional(args, "admin-token", 1);
  if (flag(args, "rotate")) {
    const t = rotateAdminToken(config);
    console.log(t.token);
    console.error(
      `Wrote a new admin token to ${t.file}. A running Eider accepts the old one until it restarts: restart it now.`,
    );
    return 0;
  }
  const t = resolveAdminToken(config);
  console.log(t.token);
  if (t.source === "config") console.error("(set by admin_token / EIDER_ADMIN_TOKEN in the configuration)");
  else if (t.created) console.error(`(generated just now into ${t.file})`);
  return 0;
}

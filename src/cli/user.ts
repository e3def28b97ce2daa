// `eider user add|list|passwd|disable|enable|delete`: each says what it did, so an admin sees the result.
import type { EiderConfig } from "../config/config.js";
import { ADMIN, type Core } from "../core/index.js";
import { openCore } from "../main.js";
import { expectOptions, expectPositional, flag, option, UsageError, type ParsedArgs } from "./args.js";
import { confirmed } from "./confirm.js";

export async function userCommand(config: EiderConfig, args: ParsedArgs): Promise<number> {
  const sub = args.positional[1];
  const spec = SUBCOMMANDS[sub ?? ""];
  if (!spec) throw new UsageError(sub ? `Unknown user command "${sub}".` : "user needs a command.");
  expectOptions(args, `user ${sub}`, spec.options);
  expectPositional(args, `user ${sub}`, spec.needsName ? 3 : 2);
  const name = args.positional[2];
  if (spec.needsName && !name) throw new UsageError(`"user ${sub}" needs a user name.`);
  const { core } = await openCore(config);
  try {
    return await spec.run(core, name, args);
  } finally {
    await core.close();
  }
}

interface Subcommand {
  options: string[];
  needsName: boolean;
  run(core: Core, name: string, args: ParsedArgs): Promise<number>;
}

const SUBCOMMANDS: Record<string, Subcommand> = {
  add: { options: ["password", "address", "quota", "json"], needsName: true, run: add },
  list: { options: ["json"], needsName: false, run: list },
  passwd: { options: ["password"], needsName: true, run: passwd },
  disable: { options: [], needsName: true, run: (core, name) => setDisabled(core, name, true) },
  enable: { options: [], needsName: true, run: (core, name) => setDisabled(core, name, false) },
  delete: { options: ["yes"], needsName: true, run: remove },
};

async function add(core: Core, name: string, args: ParsedArgs): Promise<number> {
  const password = option(args, "password");
  if (!password) throw new UsageError("user add needs --password.");
  const quota = option(args, "quota");
  const user = await core.users.create(ADMIN, {
    username: name,
    password,
    addresses: args.options.get("address") ?? [],
    quotaBytes: quota === undefined ? 0 : parseBytes(quota),
  });
  // In the order typed: the store lists by creation time, and addresses created in one millisecond tie.
  const typed = (args.options.get("address") ?? []).map((a) => a.trim().normalize("NFC"));
  const rank = (a: string) => (typed.includes(a) ? typed.indexOf(a) : typed.length);
  const addresses = (await core.users.addresses(ADMIN, user.id))
    .map((a) => a.address)
    .sort((a, b) => rank(a) - rank(b));
  const mailboxes = (await core.mailboxes.list(ADMIN, user.id)).map((m) => ({
    id: m.id,
    path: m.path,
    specialUse: m.specialUse,
  }));
  if (flag(args, "json")) {
    const { id, username, quotaBytes } = user;
    console.log(JSON.stringify({ id, username, quotaBytes, addresses, mailboxes }));
    return 0;
  }
  console.log(`Created user ${user.username} (id ${user.id}).
  addresses: ${addresses.join(", ") || "none (eider user add ... --address A, or the addAddress mutation)"}
  mailboxes: ${mailboxes.map((m) => m.path).join(", ")}
  quota:     ${user.quotaBytes ? `${user.quotaBytes} bytes` : "unlimited"}`);
  return 0;
}

async function list(core: Core, _name: string, args: ParsedArgs): Promise<number> {
  const json = flag(args, "json");
  if (!json) console.log(["ID", "USERNAME", "STATE", "USED/QUOTA"].join("\t"));
  let after: string | undefined;
  for (;;) {
    const page = await core.users.list(ADMIN, 500, after);
    for (const u of page) {
      const state = u.disabled ? "disabled" : "active";
      if (json) {
        const { id, username, storageUsed, quotaBytes } = u;
        console.log(JSON.stringify({ id, username, state, storageUsed, quotaBytes }));
      } else console.log(`${u.id}\t${u.username}\t${state}\t${u.storageUsed}/${u.quotaBytes || "unlimited"}`);
    }
    if (page.length < 500) return 0;
    after = page[page.length - 1].username;
  }
}

async function passwd(core: Core, name: string, args: ParsedArgs): Promise<number> {
  const password = option(args, "password");
  if (!password) throw new UsageError("user passwd needs --password.");
  const user = await core.users.findByName(ADMIN, name);
  await core.users.update(ADMIN, user.id, { password });
  console.log(`Changed the password of ${user.username} (id ${user.id}).`);
  return 0;
}

async function setDisabled(core: Core, name: string, disabled: boolean): Promise<number> {
  const user = await core.users.findByName(ADMIN, name);
  await core.users.update(ADMIN, user.id, { disabled });
  console.log(
    disabled
      ? `Disabled ${user.username} (id ${user.id}): logins are refused and its tokens no longer work.`
      : `Enabled ${user.username} (id ${user.id}): logins work again.`,
  );
  return 0;
}

async function remove(core: Core, name: string, args: ParsedArgs): Promise<number> {
  const user = await core.users.findByName(ADMIN, name);
  const what = `${user.username} (id ${user.id}) with its mailboxes and messages (${user.storageUsed} bytes)`;
  if (!(await confirmed(args, user.username, `Delete ${what}? This cannot be undone.`))) {
    console.log(`Kept ${user.username}.`);
    return 1;
  }
  await core.users.delete(ADMIN, user.id);
  console.log(`Deleted ${user.username} (id ${user.id}) with its mailboxes and messages.`);
  return 0;
}

/** "1048576", "512K", "100M", "2G" (1024-based) as a whole number of bytes. */
function parseBytes(text: string): number {
  const m = /^(\d+)([KMG]?)$/i.exec(text.trim());
  if (!m) throw new UsageError(`--quota takes a number of bytes, optionally with K, M or G; not "${text}".`);
  const scale = { "": 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[m[2].toUpperCase() as "" | "K" | "M" | "G"];
  return Number(m[1]) * scale;
}

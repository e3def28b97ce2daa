// `eider dkim add|list|show|delete`: the same DKIM key service as GraphQL's createDkimKey and friends, for an admin at
// the box. Every key shown comes with the DNS record to publish; a private key is never printed.
import { readFileSync } from "node:fs";
import type { EiderConfig } from "../config/config.js";
import { ADMIN, type Core, type DkimAlgorithm, type DkimKey } from "../core/index.js";
import { openCore } from "../main.js";
import { expectOptions, expectPositional, flag, option, UsageError, type ParsedArgs } from "./args.js";
import { confirmed } from "./confirm.js";

export async function dkimCommand(config: EiderConfig, args: ParsedArgs): Promise<number> {
  const sub = args.positional[1];
  const spec = SUBCOMMANDS[sub ?? ""];
  if (!spec) throw new UsageError(sub ? `Unknown dkim command "${sub}".` : "dkim needs a command.");
  expectOptions(args, `dkim ${sub}`, spec.options);
  expectPositional(args, `dkim ${sub}`, spec.needsDomain ? 3 : 2);
  const domain = args.positional[2];
  if (spec.needsDomain && !domain) throw new UsageError(`"dkim ${sub}" needs a domain.`);
  const input = spec.prepare?.(args);
  const { core } = await openCore(config);
  try {
    return await spec.run(core, domain, args, input);
  } finally {
    await core.close();
  }
}

interface Subcommand {
  options: string[];
  needsDomain: boolean;
  /** Checks and reads what the command needs before the store is opened (a usage mistake costs nothing). */
  prepare?(args: ParsedArgs): AddInput;
  run(core: Core, domain: string, args: ParsedArgs, input?: AddInput): Promise<number>;
}

interface AddInput {
  selector: string;
  algorithm?: DkimAlgorithm;
  privateKeyPem?: string;
}

const SUBCOMMANDS: Record<string, Subcommand> = {
  add: {
    options: ["selector", "algorithm", "import", "replace", "json"],
    needsDomain: true,
    prepare,
    run: add,
  },
  list: { options: ["json"], needsDomain: false, run: list },
  show: { options: ["json"], needsDomain: true, run: show },
  delete: { options: ["yes"], needsDomain: true, run: remove },
};

const ALGORITHMS: Record<string, DkimAlgorithm> = { rsa: "rsa-sha256", ed25519: "ed25519-sha256" };

function prepare(args: ParsedArgs): AddInput {
  const selector = option(args, "selector");
  if (!selector)
    throw new UsageError("dkim add needs --selector (the name the TXT record is published under).");
  const name = option(args, "algorithm");
  const algorithm = name === undefined ? undefined : ALGORITHMS[name.toLowerCase()];
  if (name !== undefined && !algorithm)
    throw new UsageError(`--algorithm takes rsa or ed25519, not "${name}".`);
  const file = option(args, "import");
  if (file === undefined) return { selector, algorithm };
  let privateKeyPem: string;
  try {
    privateKeyPem = readFileSync(file, "utf8");
  } catch (err) {
    throw new Error(`Cannot read the key file "${file}": ${(err as Error).message}`, { cause: err });
  }
  return { selector, algorithm, privateKeyPem };
}

async function add(core: Core, domain: string, args: ParsedArgs, input?: AddInput): Promise<number> {
  const key = await core.dkim.create(ADMIN, { domain, ...input!, replace: flag(args, "replace") });
  if (flag(args, "json")) console.log(JSON.stringify(key));
  else console.log(`${input?.privateKeyPem ? "Imported" : "Created"} ${describe(key)}`);
  return 0;
}

async function list(core: Core, _domain: string, args: ParsedArgs): Promise<number> {
  const keys = await core.dkim.list(ADMIN);
  if (flag(args, "json")) {
    for (const key of keys) console.log(JSON.stringify(key));
    return 0;
  }
  console.log(["DOMAIN", "SELECTOR", "ALGORITHM", "CREATED"].join("\t"));
  for (const k of keys)
    console.log([k.domain, k.selector, k.algorithm, k.createdAt.toISOString()].join("\t"));
  return 0;
}

async function show(core: Core, domain: string, args: ParsedArgs): Promise<number> {
  const key = await core.dkim.get(ADMIN, domain);
  console.log(flag(args, "json") ? JSON.stringify(key) : `The ${describe(key)}`);
  return 0;
}

async function remove(core: Core, domain: string, args: ParsedArgs): Promise<number> {
  const key = await core.dkim.get(ADMIN, domain);
  const question = `Delete the DKIM key of ${key.domain}? Its mail goes out unsigned; the key cannot be recovered.`;
  if (!(await confirmed(args, `the DKIM key of ${key.domain}`, question))) {
    console.log(`Kept the DKIM key of ${key.domain}.`);
    return 1;
  }
  await core.dkim.delete(ADMIN, key.domain);
  console.log(
    `Deleted the DKIM key of ${key.domain}: its mail goes out unsigned. Remove the TXT record ${key.dnsName}.`,
  );
  return 0;
}

/** The key and the TXT record to publish, whole and as a zone-file line. */
function describe(key: DkimKey): string {
  return `DKIM key of ${key.domain} (${key.algorithm}, selector ${key.selector}). Publish this TXT record:
  name:  ${key.dnsName}
  value: ${key.dnsValue}
In a zone file (character-strings of at most 255 bytes):
  ${key.dnsZoneLine}`;
}

import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from "node:crypto";
import { invalidInput } from "./errors.js";

// scrypt runs in libuv's thread pool, so a login never blocks the event loop. N=2^15 takes ~50 ms here.
const PARAMS = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const KEY_BYTES = 32;

function derive(
  password: string,
  salt: Buffer,
  params: ScryptOptions & { N: number; r: number; p: number },
): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize("NFC"), salt, KEY_BYTES, params, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

/** Hashes a password as `scrypt$N$r$p$salt$key` (base64 parts). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, PARAMS);
  return ["scrypt", PARAMS.N, PARAMS.r, PARAMS.p, salt.toString("base64"), key.toString("base64")].join("$");
}

/**
 * The work of one verifyPassword, for a username that does not exist, so that the time a login takes
 * does not tell whether the name is known. Always false.
 */
export async function verifyNothing(password: string): Promise<false> {
  await derive(password, NO_SALT, PARAMS);
  return false;
}
const NO_SALT = randomBytes(16);

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = stored.split("$");
  if (scheme !== "scrypt" || !salt || !key) return false;
  const expected = Buffer.from(key, "base64");
  const params = { N: Number(n), r: Number(r), p: Number(p), maxmem: PARAMS.maxmem };
  const actual = await derive(password, Buffer.from(salt, "base64"), params);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** The one password rule, for new users, resets and changes (`limits.min_password_length`). */
export function assertPassword(password: string, minLength: number): void {
  if (password.length < minLength) {
    throw invalidInput(`The password has ${password.length} characters; it needs at least ${minLength}.`);
  }
}

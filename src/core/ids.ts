import { randomBytes } from "node:crypto";

/** A new 24-hex-digit id (the shape of a MongoDB ObjectId: time first, so ids sort roughly by creation). */
export function newId(): string {
  const time = Math.floor(Date.now() / 1000)
    .toString(16)
    .padStart(8, "0");
  return time + randomBytes(8).toString("hex");
}

const ID_PATTERN = /^[0-9a-f]{24}$/;

export function isId(value: string): boolean {
  return ID_PATTERN.test(value);
}

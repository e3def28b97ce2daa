// Autoreply (vacation) as a user (or the admin) manages it: the setting, checked and stored, and whether it works.
// The replies are the responder's (responder.ts).
import type { AutoreplyRecord, Store } from "../../storage/ports.js";
import { invalidInput, notFound } from "../errors.js";
import { requireUser, type Principal } from "../principal.js";
import type { AutoreplyResponder } from "./responder.js";
import { isActive } from "./rules.js";

/** A user's autoreply as front ends see it: the setting (`updatedAt` null until first set), and whether it works. */
export type Autoreply = Omit<AutoreplyRecord, "userId" | "updatedAt"> & {
  updatedAt: Date | null;
  /** Whether the server can send replies at all (an outbound relay is configured). */
  canSend: boolean;
  /** Whether mail arriving now is answered: enabled, within the dates, and the server can send. */
  active: boolean;
};

export interface AutoreplyInput {
  enabled: boolean;
  startsAt?: Date | null;
  endsAt?: Date | null;
  subject?: string | null;
  text: string;
  html?: string | null;
}

export const AUTOREPLY_LIMITS = { subjectChars: 500, textChars: 100_000, htmlChars: 500_000 };

export class AutoreplyService {
  constructor(
    private readonly store: Store,
    private readonly responder: AutoreplyResponder,
  ) {}

  async get(p: Principal, userId?: string): Promise<Autoreply> {
    const id = await this.existingUser(p, userId);
    return this.toModel(await this.store.autoreplies.get(id));
  }

  /** Replaces the user's setting; whom the previous one answered is forgotten, so everyone is answered once anew. */
  async set(p: Principal, input: AutoreplyInput, userId?: string): Promise<Autoreply> {
    const id = await this.existingUser(p, userId);
    const record = toRecord(id, input);
    await this.store.autoreplies.set(record);
    return this.toModel(record);
  }

  /** Resolves when every reply under way has been sent, skipped or given up (tests wait on it; so does shutdown). */
  idle(): Promise<void> {
    return this.responder.idle();
  }

  private async existingUser(p: Principal, userId?: string): Promise<string> {
    const id = requireUser(p, userId);
    if (!(await this.store.users.get(id))) throw notFound("User", id);
    return id;
  }

  private toModel(record: AutoreplyRecord | null): Autoreply {
    const canSend = this.responder.canSend;
    const active = canSend && isActive(record, new Date());
    return { ...(record ?? UNSET), canSend, active };
  }
}

/** What a user that never set an autoreply has. */
const UNSET = {
  enabled: false,
  startsAt: null,
  endsAt: null,
  subject: null,
  text: "",
  html: null,
  updatedAt: null,
} as const;

function toRecord(userId: string, input: AutoreplyInput): AutoreplyRecord {
  const subject = input.subject?.trim() || null;
  const text = input.text;
  const html = input.html?.trim() ? input.html : null;
  const startsAt = input.startsAt ?? null;
  const endsAt = input.endsAt ?? null;
  if (subject !== null && /[\r\n]/.test(subject)) throw invalidInput("The subject must be one line.");
  if (subject !== null && subject.length > AUTOREPLY_LIMITS.subjectChars)
    throw invalidInput(`The subject is longer than ${AUTOREPLY_LIMITS.subjectChars} characters.`);
  if (text.length > AUTOREPLY_LIMITS.textChars)
    throw invalidInput(`The text is longer than ${AUTOREPLY_LIMITS.textChars} characters.`);
  if (html !== null && html.length > AUTOREPLY_LIMITS.htmlChars)
    throw invalidInput(`The HTML is longer than ${AUTOREPLY_LIMITS.htmlChars} characters.`);
  if (input.enabled && text.trim() === "") throw invalidInput("An enabled autoreply needs a text.");
  for (const d of [startsAt, endsAt])
    if (d !== null && Number.isNaN(d.getTime())) throw invalidInput("A date is not a valid date.");
  if (startsAt && endsAt && endsAt <= startsAt) throw invalidInput("The end must come after the start.");
  return { userId, enabled: input.enabled, startsAt, endsAt, subject, text, html, updatedAt: new Date() };
}

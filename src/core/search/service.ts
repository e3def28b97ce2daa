// IMAP SEARCH, SORT and THREAD over one mailbox: the criteria are evaluated in the store (SQL, a MongoDB
// filter), never by loading messages into the process; SORT by columns is ordered there too.
import type { Store } from "../../storage/ports.js";
import { notFound } from "../errors.js";
import { requireUser, type Principal } from "../principal.js";
import { normalizeQuery, type MessageQuery } from "./query.js";
import { columnOrder, sortRows, type SortCriterion } from "./sort.js";
import {
  threadByOrderedSubject,
  threadByReferences,
  type ThreadAlgorithm,
  type ThreadNode,
} from "./threads.js";

export class MailboxSearchService {
  constructor(private readonly store: Store) {}

  /** The UIDs of the mailbox's messages that match, ascending. */
  async search(p: Principal, mailboxId: string, query: MessageQuery): Promise<number[]> {
    const userId = await this.owner(p, mailboxId);
    return this.store.messages.searchUids(userId, mailboxId, normalizeQuery(query));
  }

  /**
   * SEARCH with a MODSEQ key (RFC 7162 §3.1.5): the matching messages' UIDs, ascending, each with its modseq, so
   * the answer can carry the highest modseq of the messages it returns.
   */
  async searchModseqs(
    p: Principal,
    mailboxId: string,
    query: MessageQuery,
  ): Promise<Array<{ uid: number; modseq: number }>> {
    const userId = await this.owner(p, mailboxId);
    const rows = await this.store.messages.searchFields(userId, mailboxId, normalizeQuery(query));
    return rows.map((r) => ({ uid: r.uid, modseq: r.modseq }));
  }

  /** The UIDs of the matching messages in the criteria's order (RFC 5256 §3). */
  async sort(
    p: Principal,
    mailboxId: string,
    criteria: SortCriterion[],
    query: MessageQuery,
  ): Promise<number[]> {
    const userId = await this.owner(p, mailboxId);
    const q = normalizeQuery(query);
    const columns = columnOrder(criteria);
    if (columns) return this.store.messages.searchUids(userId, mailboxId, q, columns);
    return sortRows(await this.store.messages.searchFields(userId, mailboxId, q), criteria);
  }

  /** The matching messages as threads (RFC 5256 §3), each a tree of UIDs. */
  async thread(
    p: Principal,
    mailboxId: string,
    algorithm: ThreadAlgorithm,
    query: MessageQuery,
  ): Promise<ThreadNode[]> {
    const userId = await this.owner(p, mailboxId);
    const rows = await this.store.messages.searchFields(userId, mailboxId, normalizeQuery(query), {
      references: algorithm === "references",
    });
    return algorithm === "references" ? threadByReferences(rows) : threadByOrderedSubject(rows);
  }

  private async owner(p: Principal, mailboxId: string): Promise<string> {
    const userId = requireUser(p);
    if (!(await this.store.mailboxes.get(userId, mailboxId))) throw notFound("Mailbox", mailboxId);
    return userId;
  }
}

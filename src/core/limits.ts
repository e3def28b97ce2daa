/**
 * The caps on what one request may ask of the core, each a config option (`[limits]` in config/default.toml,
 * which says why each default was chosen). Front ends pass them in through the composition root.
 */
export interface CoreLimits {
  /** Messages in one page of a list, a search or a thread. */
  maxPageSize: number;
  /** Message ids in one batch change (flags, move, copy, delete). */
  maxBatchIds: number;
  /** Characters in one text field of a search. */
  maxSearchTextChars: number;
  /** Characters in a mailbox path. */
  maxMailboxPathChars: number;
  /** Journal entries one `changes` answer (or one watch's replay) may cover; further behind means reload. */
  maxChanges: number;
  /** Users in one page of the admin's user list. */
  maxUsersPage: number;
  /** Characters a new password needs at least. */
  minPasswordLength: number;
  /** Delivery filters one user may have. */
  maxFiltersPerUser: number;
}

export const DEFAULT_LIMITS: CoreLimits = {
  maxPageSize: 500,
  maxBatchIds: 1000,
  maxSearchTextChars: 1000,
  maxMailboxPathChars: 512,
  maxChanges: 5000,
  maxUsersPage: 500,
  minPasswordLength: 8,
  maxFiltersPerUser: 100,
};

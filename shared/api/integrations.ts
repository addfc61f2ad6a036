import { Type, type Static } from 'typebox';

/** `POST /api/lubdub/import/healthchecks`: where to import from; `dry_run` only plans. */
export const ImportInputSchema = Type.Object({
  /** the other side's base URL, e.g. https://healthchecks.example.com */
  url: Type.String({ minLength: 1, maxLength: 500 }),
  /** its API key (read-only or read-write); named so it is never taken for this Lubdub's `api_key` */
  remote_key: Type.String({ minLength: 1, maxLength: 200 }),
  dry_run: Type.Optional(Type.Boolean()),
  api_key: Type.Optional(Type.String()),
});

/** One check of an import: what happened (or would) to it. */
export const ImportLineSchema = Type.Object({
  action: Type.Enum(['create', 'update', 'same', 'skip', 'refused']),
  name: Type.String(),
  /** changed fields (update), why (skip), or the uuid note (create) */
  detail: Type.String(),
});

/** What an import did or would do. */
export const ImportReplySchema = Type.Object({
  lines: Type.Array(ImportLineSchema),
  /** the other side's channels (not carried over), or null when its key may not list them */
  channels: Type.Union([Type.Array(Type.Object({ name: Type.String(), kind: Type.String() })), Type.Null()]),
  dry_run: Type.Boolean(),
});
/** What an import did or would do. */
export type ImportReply = Static<typeof ImportReplySchema>;

import { Type, type Static } from 'typebox';
import { schemaError } from '../api/schema-error.js';

/** Kinds of notification channel Lubdub can send to. */
export type ChannelKind = 'desktop' | 'webhook' | 'ntfy';
/** All channel kinds, for validation and listings. */
export const CHANNEL_KINDS: readonly ChannelKind[] = ['desktop', 'webhook', 'ntfy'];

/** Settings of a webhook channel. */
export interface WebhookConfig {
  url: string;
}
/** Settings of an ntfy channel: the topic URL, priority 1-5 for problems, extra tags, access token. */
export interface NtfyConfig {
  url: string;
  priority?: number;
  tags?: string;
  token?: string | null;
}
/** Channel settings by kind (desktop has none). */
export type ChannelConfig = Record<string, never> | WebhookConfig | NtfyConfig;

/**
 * Body of `POST /api/lubdub/channels` (create) and `…/<id>` (update): the types; the
 * rules that depend on the kind and the URL guard are `channelInputError`'s.
 */
export const ChannelInputSchema = Type.Object({
  name: Type.Optional(Type.String({ maxLength: 100 })),
  kind: Type.Optional(Type.Enum(CHANNEL_KINDS, { errorWords: `must be one of ${CHANNEL_KINDS.join(', ')}` })),
  config: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  /** new checks created without `channels` get this channel (default true) */
  new_checks: Type.Optional(Type.Boolean()),
  /** create only: add the channel to every existing check */
  assign_existing: Type.Optional(Type.Boolean()),
  api_key: Type.Optional(Type.String()),
});
/** A channel create/update body. */
export type ChannelInput = Omit<Static<typeof ChannelInputSchema>, 'api_key'>;

/**
 * Security predicate for outgoing URLs (webhook, ntfy, and every redirect they answer):
 * only http and https, no credentials in the URL (they would leak to logs and redirects),
 * no whitespace tricks. Returns the reason to refuse, or null.
 * Stops: file:, data:, javascript: and other schemes reaching the sender; user:pass@ URLs.
 */
export function outgoingUrlError(raw: unknown): string | null {
  if (typeof raw !== 'string' || raw === '') return 'url is required';
  if (raw.length > 2000) return 'url is too long';
  if (raw !== raw.trim() || /[\s\u0000-\u001f\u007f]/.test(raw)) return 'url must not contain spaces or control characters';
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return 'url is not a valid absolute URL';
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return `url scheme ${u.protocol.replace(':', '')} is not allowed (http or https only)`;
  if (!/^https?:\/\/[^/\\]/i.test(raw)) return 'url is not a valid absolute URL';
  if (u.username || u.password) return 'url must not contain a user name or password';
  if (!u.hostname) return 'url has no host';
  return null;
}

function configError(kind: ChannelKind, c: unknown): string | null {
  if (typeof c !== 'object' || c === null || Array.isArray(c)) return 'config is not an object';
  const cfg = c as Record<string, unknown>;
  const allowed = kind === 'desktop' ? [] : kind === 'webhook' ? ['url'] : ['url', 'priority', 'tags', 'token'];
  const extra = Object.keys(cfg).find((k) => !allowed.includes(k));
  if (extra) return `config.${extra} is not a ${kind} setting`;
  if (kind === 'desktop') return null;
  const urlErr = outgoingUrlError(cfg.url);
  if (urlErr) return `config.${urlErr}`;
  if (kind === 'ntfy') {
    if (cfg.priority !== undefined && (!Number.isInteger(cfg.priority) || (cfg.priority as number) < 1 || (cfg.priority as number) > 5)) {
      return 'config.priority must be an integer 1-5';
    }
    if (cfg.tags !== undefined && (typeof cfg.tags !== 'string' || !/^[A-Za-z0-9_,+ -]{0,200}$/.test(cfg.tags))) {
      return 'config.tags must be a comma list of words';
    }
    if (cfg.token !== undefined && cfg.token !== null && (typeof cfg.token !== 'string' || !/^[\x21-\x7e]{1,200}$/.test(cfg.token))) {
      return 'config.token must be printable ASCII without spaces';
    }
  }
  return null;
}

/**
 * Validates a channel create/update body; returns the error text, or null.
 * `existingKind` is set on update: the kind of a channel cannot change.
 */
export function channelInputError(body: unknown, existingKind: ChannelKind | null): string | null {
  const shape = schemaError(ChannelInputSchema, body);
  if (shape) return shape;
  const b = body as Record<string, unknown>;
  const unknown = Object.keys(b).find((k) => !(k in ChannelInputSchema.properties));
  if (unknown) return `unknown field ${unknown}`;
  // healthchecks resolves `channels` by name too: a comma would split the name.
  if (typeof b.name === 'string' && b.name.includes(',')) return 'name must not contain a comma';
  let kind = existingKind;
  if (b.kind !== undefined) {
    if (existingKind !== null && b.kind !== existingKind) return 'kind of a channel cannot change';
    kind = b.kind as ChannelKind;
  }
  if (kind === null) return 'kind is required';
  if (existingKind === null && kind !== 'desktop' && b.config === undefined) return 'config is required';
  if (b.config !== undefined) return configError(kind, b.config);
  return null;
}

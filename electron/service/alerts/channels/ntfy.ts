import type { AlertKind } from '../../../../shared/alerts/messages.js';
import { postAlert } from '../http.js';
import type { Sender } from './types.js';

/** ntfy's message size limit; longer bodies are turned into attachments by the server. */
const NTFY_MAX_BODY = 4096;

/**
 * A header value ntfy decodes: ASCII as is, anything else as an RFC 2047 encoded word
 * (HTTP header bytes are Latin-1; a raw UTF-8 title would arrive garbled or be refused).
 */
export function headerText(s: string): string {
  const clean = s.replace(/[\r\n]+/g, ' ');
  if (/^[\x20-\x7e]*$/.test(clean)) return clean;
  return `=?UTF-8?B?${Buffer.from(clean, 'utf8').toString('base64')}?=`;
}

/** Tags shown as emoji by ntfy clients, by alert kind. */
const KIND_TAGS: Record<AlertKind, string> = {
  down: 'rotating_light',
  up: 'white_check_mark',
  reminder: 'hourglass',
  summary: 'clipboard',
  test: 'bell',
};

/**
 * ntfy channel: publishes to a topic URL with Title, Priority and Tags headers and the text
 * as the body. No `Markdown` header: ping text is shown as plain text. Problems use the
 * channel's priority (default 4, high), recoveries and tests 3 (default).
 */
export function ntfySender(userAgent: string): Sender {
  return {
    send: (msg, { messageUuid, channel }) => {
      const cfg = channel.config as { url?: string; priority?: number; tags?: string; token?: string };
      const problem = msg.kind === 'down' || msg.kind === 'reminder' || msg.kind === 'summary';
      const tags = [KIND_TAGS[msg.kind], ...(cfg.tags ?? '').split(',').map((t) => t.trim())].filter(Boolean);
      const headers: Record<string, string> = {
        'content-type': 'text/plain; charset=utf-8',
        'user-agent': userAgent,
        title: headerText(msg.title),
        priority: String(problem ? (cfg.priority ?? 4) : 3),
        tags: tags.join(','),
        'x-lubdub-delivery': messageUuid,
      };
      if (cfg.token) headers.authorization = `Bearer ${cfg.token}`;
      // Characters, not bytes: a cut never splits a UTF-8 sequence (4 bytes per char at most).
      const body = msg.body.length > NTFY_MAX_BODY / 4 ? msg.body.slice(0, NTFY_MAX_BODY / 4 - 1) + '…' : msg.body;
      return postAlert({ url: String(cfg.url ?? ''), headers, body });
    },
  };
}

import { webhookPayload } from '../../../../shared/alerts/messages.js';
import { postAlert } from '../http.js';
import type { Sender } from './types.js';

/**
 * Webhook channel: POSTs the alert as JSON (name, uuid, status, reason, last ping, first line
 * of the last body, console URL). `delivery_id` and the `Idempotency-Key` header stay the same
 * on every retry, so a receiver can drop a repeat.
 */
export function webhookSender(userAgent: string): Sender {
  return {
    send: (msg, { messageUuid, channel }) =>
      postAlert({
        url: String(channel.config.url ?? ''),
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'user-agent': userAgent,
          'idempotency-key': messageUuid,
        },
        body: JSON.stringify(webhookPayload(msg, messageUuid)),
      }),
  };
}

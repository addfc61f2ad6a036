import type { AlertMessage } from '../../../../shared/alerts/messages.js';
import type { ChannelRow } from '../store.js';

/** The outcome of one send attempt. */
export interface SendResult {
  ok: boolean;
  /** why it failed, or a note on success (e.g. "no desktop session") */
  error: string | null;
  /** true when retrying cannot help (refused URL, 4xx): the delivery gives up at once */
  permanent?: boolean;
}

/** One way of delivering an alert. */
export interface Sender {
  send(msg: AlertMessage, ctx: { messageUuid: string; channel: ChannelRow; attempt: number }): Promise<SendResult>;
}

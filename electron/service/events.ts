import { EventEmitter } from 'node:events';
import type { ServiceEvent } from '../../shared/api/types.js';

/** Internal notifications between service parts (after commit only). */
interface InternalEvents {
  /** a check's deadline may have changed: the scheduler re-arms */
  deadlines: [];
  /** a flip row was written: the outbox delivers */
  flips: [];
  /** something the event stream shows */
  public: [ServiceEvent];
}

/** A typed event bus; listeners run synchronously after the database commit. */
export class Bus extends EventEmitter<InternalEvents> {
  constructor() {
    super();
    this.setMaxListeners(1000);
  }
}

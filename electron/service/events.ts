import { EventEmitter } from 'node:events';
import type { ServiceEvent } from '../../shared/api/types.js';

/** The earliest deadline and status change a ping batch wrote (null: none). */
export interface SetTimes {
  alertAfter: number | null;
  statusAt: number | null;
}

/** Internal notifications between service parts (after commit only). */
interface InternalEvents {
  /**
   * a check's deadline may have changed: the scheduler re-arms. With `set`, only these times
   * were set (a ping batch): the scheduler re-reads nothing unless one comes before its wake.
   */
  deadlines: [set?: SetTimes];
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

import type { CheckpointState } from '../contract/connector.js';

/** One page on its way through the stages: how many of its records are still unacknowledged. */
export interface PageTicket {
  readonly state: CheckpointState | undefined;
  /** Records of the page handed to the stages and not yet acknowledged. */
  pending: number;
  /** Every record of the page was handed to the stages (a stop or a limit can cut a page short). */
  sealed: boolean;
}

/**
 * Orders checkpoints while records complete out of order: a page's state becomes committable only when that page
 * and every earlier page are sealed and fully acknowledged, so the cursor never passes an unacknowledged record.
 */
export class CheckpointTracker {
  #queue: PageTicket[] = [];
  #head = 0;
  #committable: CheckpointState | undefined;
  #advanced = false;

  /** Registers the next page, in source order. */
  open(state: CheckpointState | undefined, records: number): PageTicket {
    const ticket: PageTicket = { state, pending: records, sealed: false };
    this.#queue.push(ticket);
    return ticket;
  }

  ack(ticket: PageTicket): void {
    ticket.pending -= 1;
    if (ticket.pending === 0 && ticket.sealed) this.#advance();
  }

  seal(ticket: PageTicket): void {
    ticket.sealed = true;
    if (ticket.pending === 0) this.#advance();
  }

  /** The newest committable state, or undefined when nothing advanced since the last call. */
  takeAdvance(): CheckpointState | undefined {
    if (!this.#advanced) return undefined;
    this.#advanced = false;
    return this.#committable;
  }

  /** The newest committable state, whether or not it was taken. */
  get committable(): CheckpointState | undefined {
    return this.#committable;
  }

  /** True when every page opened so far is sealed and acknowledged. */
  get settled(): boolean {
    return this.#head === this.#queue.length;
  }

  #advance(): void {
    const queue = this.#queue;
    let head = this.#head;
    while (head < queue.length) {
      const ticket = queue[head];
      if (ticket === undefined || !ticket.sealed || ticket.pending !== 0) break;
      // A page without a state (records handed in by a trigger) completes but moves no cursor.
      if (ticket.state !== undefined) {
        this.#committable = ticket.state;
        this.#advanced = true;
      }
      head += 1;
    }
    // Drop completed tickets now and then so that a long run keeps a short queue.
    if (head > 1024 && head * 2 > queue.length) {
      this.#queue = queue.slice(head);
      head = 0;
    }
    this.#head = head;
  }
}

import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { Observable } from 'rxjs';

export interface PullControl {
  /** Undefined when the stages have room for another page; otherwise resolves once they have. */
  room(): Promise<void> | undefined;
  /** True once no further page should be read (stop, failure, limit). */
  stopped(): boolean;
}

/** Longest stretch of pulling without letting timers and I/O run (abort signals, commit timers, progress). */
const MAX_BUSY_MS = 25;

/**
 * The pages of an async iterable as a PULLED Observable: the next page is requested only when `control.room()`
 * says the stages below have room, never ahead of demand. Unsubscribing or stopping closes the iterator so that
 * the connector releases its file handles and cursors.
 */
export function pulledPages<P>(open: () => AsyncIterable<P>, control: PullControl): Observable<P> {
  return new Observable<P>((subscriber) => {
    let iterator: AsyncIterator<P> | undefined;
    let finished = false;
    const close = (): void => {
      if (finished) return;
      finished = true;
      // A connector's cleanup failing must not turn a finished read into a failed one.
      iterator?.return?.().catch(() => undefined);
    };

    const pull = async (): Promise<void> => {
      iterator = open()[Symbol.asyncIterator]();
      let busySince = Date.now();
      while (!subscriber.closed && !control.stopped()) {
        const wait = control.room();
        if (wait !== undefined) {
          await wait;
          busySince = Date.now();
          continue;
        }
        if (Date.now() - busySince > MAX_BUSY_MS) {
          await yieldToEventLoop();
          busySince = Date.now();
          continue;
        }
        const step = await iterator.next();
        if (step.done === true) {
          finished = true;
          break;
        }
        // A stop that came while the page was on its way: the page is left for the next run.
        if (subscriber.closed || control.stopped()) break;
        subscriber.next(step.value);
      }
      close();
      subscriber.complete();
    };

    pull().catch((error: unknown) => {
      close();
      subscriber.error(error);
    });
    return close;
  });
}

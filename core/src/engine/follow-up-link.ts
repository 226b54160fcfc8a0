import type { ActionResult } from '../contract/connector.js';
import type { JsonRecord } from '../contract/json-schema.js';
import type { LinkKey, LinkWrite, Store } from '../contract/store.js';
import { contentHash } from '../util/content-hash.js';

/** A `then` step with `link: true`: where its result is linked, and what it wrote last time. */
export interface LinkedFollowUp {
  /** The step's earlier result, when its input did not change since: the step is not run again. */
  readonly unchanged: ActionResult | undefined;
  /** The destination record it wrote before (an update target instead of a second create). */
  readonly linkedId: string | undefined;
  /** The link to commit once the step has written `targetId`. */
  linkTo(targetId: string): LinkWrite;
}

/**
 * Looks up the link of a linked `then` step (source record → the step's entity, e.g. the follow-up task of a
 * contact): a later run passes its id to the action (update, not a second task) and skips the call while the
 * step's input is unchanged; another pipeline can act on that task through the same link (`to.link`).
 */
export function linkedFollowUp(store: Store, pipeline: string, key: LinkKey, input: JsonRecord): LinkedFollowUp {
  const hash = contentHash(input);
  const link = store.getLink(key, pipeline);
  const linkedId = link === undefined || link.targetId === '' ? undefined : link.targetId;
  return {
    unchanged: linkedId !== undefined && link?.hash === hash ? { outcome: 'unchanged', id: linkedId } : undefined,
    linkedId,
    linkTo: (targetId) => ({ ...key, pipeline, targetId, hash, content: input }),
  };
}

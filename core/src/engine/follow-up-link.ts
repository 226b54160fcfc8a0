import type { ActionResult } from '../contract/connector.js';
import type { JsonRecord } from '../contract/json-schema.js';
import type { LinkWrite } from '../contract/store.js';
import { contentHash } from '../util/content-hash.js';
import type { LinkLookup } from './run-lookups.js';

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
 * step's input is unchanged; another pipeline can act on that task through the same link (`to.link`). The run
 * looks up the links of a page's written records at once (`links` is the step's own link table).
 */
export function linkedFollowUp(links: LinkLookup, pipeline: string, sourceId: string, input: JsonRecord): LinkedFollowUp {
  const hash = contentHash(input);
  const key = links.keyOf(sourceId);
  const link = links.get(sourceId);
  const linkedId = link === undefined || link.targetId === '' ? undefined : link.targetId;
  return {
    unchanged: linkedId !== undefined && link?.hash === hash ? { outcome: 'unchanged', id: linkedId } : undefined,
    linkedId,
    linkTo: (targetId) => ({ ...key, pipeline, targetId, hash, content: input }),
  };
}

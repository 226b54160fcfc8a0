import type * as BullMq from 'bullmq';
import { onFirstUse } from '../util/load-on-first-use.js';

/** BullMQ (about 170 modules, with ioredis under it) loads when a queue or worker is made, not with every command. */
export const bullmq = onFirstUse<typeof BullMq>('bullmq');

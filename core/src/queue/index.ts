export { DEFAULT_QUEUE_PREFIX, QUEUE_NAMES, runDeduplicationId, runRequestJobId, unitLockResource, type QueueName, type RunUnit } from './queue-names.js';
export { JOB_VERSION, parseInboxJob, parseRunJob, parseTickJob, type InboxJobData, type RunJobData, type RunJobTrigger, type TickJobData } from './queue-jobs.js';
export { RunQueueProducer, type ArmedSchedule, type QueueCounts, type RunQueueConnectOptions, type RunRequestOutcome } from './run-queue-producer.js';
export { QUEUE_WORKER_DEFAULTS, startQueueWorker, type QueueWorker, type QueueWorkerOptions } from './queue-worker.js';
export { WORKER_LOST_ERROR } from './lost-runs.js';

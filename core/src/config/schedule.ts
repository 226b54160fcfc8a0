import { Cron } from 'croner';

/**
 * Why a cron expression cannot be scheduled, or undefined when croner (the scheduler `ferry serve` uses)
 * accepts it. The job is created paused and without a function, so nothing ever runs.
 */
export function checkSchedule(expression: string): string | undefined {
  try {
    new Cron(expression, { paused: true }).stop();
    return undefined;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return message.replace(/^CronPattern:\s*/, '');
  }
}

import { cpus, loadavg, totalmem } from 'node:os';

/** What a reader needs to compare figures across machines: cores, CPU, memory, Node, and how busy the machine was. */
export interface MachineInfo {
  readonly cores: number;
  readonly cpu: string;
  readonly memoryGb: number;
  readonly node: string;
  /** 1, 5 and 15 minute load averages. */
  readonly loadAverage: readonly [number, number, number];
}

export function machineInfo(): MachineInfo {
  const [one = 0, five = 0, fifteen = 0] = loadavg();
  return {
    cores: cpus().length,
    cpu: cpus()[0]?.model.trim() ?? 'unknown CPU',
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    loadAverage: [one, five, fifteen],
  };
}

/** One line for a results file: `2 cores (CPU), 23 GB, Node v20.20.2, load average 5.8 / 6.3 / 5.2`. */
export function describeMachine(info: MachineInfo, loadAtEnd?: MachineInfo['loadAverage']): string {
  const load = (l: MachineInfo['loadAverage']): string => l.map((x) => x.toFixed(2)).join(' / ');
  return (
    `${info.cores} cores (${info.cpu}), ${info.memoryGb} GB, Node ${info.node}, ` +
    `load average (1/5/15 min) ${load(info.loadAverage)} at the start${loadAtEnd === undefined ? '' : `, ${load(loadAtEnd)} at the end`}`
  );
}

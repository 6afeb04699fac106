import { cpus, loadavg } from "node:os";

export interface MachineInfo {
  date: string;
  cores: number;
  cpuModel: string;
  node: string;
  redis: string;
  /** 1-minute load average when the run started (other work on the machine). */
  loadAverage: number;
  /** The same when the run ended. */
  loadAverageAtEnd?: number;
}

/** 1-minute load average now. */
export function currentLoad(): number {
  return loadavg()[0] ?? Number.NaN;
}

export function machineInfo(redisVersion: string, now = new Date()): MachineInfo {
  const all = cpus();
  return {
    date: now.toISOString().replace(/\.\d+Z$/, "Z"),
    cores: all.length,
    cpuModel: all[0]?.model.trim() ?? "unknown",
    node: process.version,
    redis: redisVersion,
    loadAverage: loadavg()[0] ?? Number.NaN,
  };
}

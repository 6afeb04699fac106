import type { Progress } from "../progress.js";
import type { TokenCheckFigures } from "../report/report.js";
import type { BenchSettings } from "./settings.js";

/** The worker-api's in-process token check (cache hit and miss). */
export async function measureTokenCheck(settings: BenchSettings, progress: Progress, notes: string[]): Promise<TokenCheckFigures> {
  void settings;
  void progress;
  notes.push("In-process token check of the worker-api: not measured yet.");
  return {};
}

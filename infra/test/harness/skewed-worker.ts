/** Test entry: the worker-api (dist, settings from env) with its clock offset by TEST_CLOCK_OFFSET_MS. */
import { loadWorkerSettings, startWorkerApi } from "@gastown/worker-api";

const offset = Number(process.env.TEST_CLOCK_OFFSET_MS ?? 0);
const worker = await startWorkerApi({ ...loadWorkerSettings(process.env), clock: () => Date.now() + offset });
process.stdout.write(`${JSON.stringify({ msg: "skewed worker-api", offset_ms: offset })}\n`);
const stop = () => void worker.close().then(() => process.exit(0));
process.once("SIGTERM", stop);
process.once("SIGINT", stop);

/** Test entry: the container supervisor (dist, settings from env) with its clock offset by TEST_CLOCK_OFFSET_MS. */
import { loadSupervisorConfig, startSupervisor } from "@gastown/container-client";

const offset = Number(process.env.TEST_CLOCK_OFFSET_MS ?? 0);
const { options } = loadSupervisorConfig(process.env);
const supervisor = await startSupervisor({ ...options, clock: () => Date.now() + offset });
process.stdout.write(`${JSON.stringify({ msg: "skewed supervisor", offset_ms: offset })}\n`);
const stop = () => void supervisor.close().then(() => process.exit(0));
process.once("SIGTERM", stop);
process.once("SIGINT", stop);

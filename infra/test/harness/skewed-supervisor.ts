/**
 * Test entry: the container supervisor (dist, settings from env) with its clock offset by
 * TEST_CLOCK_OFFSET_MS, and its agent uids from CONTAINER_AGENT_UIDS (the stack's own range,
 * so another test's supervisor sweeping the default uids never kills these agents).
 */
import { loadSupervisorConfig, parseAgentUids, startSupervisor } from "@gastown/container-client";

const offset = Number(process.env.TEST_CLOCK_OFFSET_MS ?? 0);
const { options } = loadSupervisorConfig(process.env);
const agentUids = options.agentUids ?? parseAgentUids(process.env.CONTAINER_AGENT_UIDS);
const supervisor = await startSupervisor({ ...options, ...(agentUids === undefined ? {} : { agentUids }), clock: () => Date.now() + offset });
process.stdout.write(`${JSON.stringify({ msg: "skewed supervisor", offset_ms: offset })}\n`);
const stop = () => void supervisor.close().then(() => process.exit(0));
process.once("SIGTERM", stop);
process.once("SIGINT", stop);

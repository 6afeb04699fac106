/** Test entry: the worker-api (dist, settings from env) with its clock offset by TEST_CLOCK_OFFSET_MS. */
import { loadWorkerSettings, startWorkerApi } from "@gastown/worker-api";

const offset = Number(process.env.TEST_CLOCK_OFFSET_MS ?? 0);
const settings = loadWorkerSettings(process.env);
const worker = await startWorkerApi({
  env: process.env,
  port: settings.port,
  authUrl: settings.authUrl,
  redisUrl: settings.redisUrl,
  prefix: settings.prefix,
  containerUrl: settings.containerUrl,
  containerControlToken: settings.containerControlToken!,
  clientId: settings.clientId,
  clientSecret: settings.clientSecret,
  operatorToken: settings.operatorToken!,
  clock: () => Date.now() + offset,
});
process.stdout.write(`${JSON.stringify({ msg: "skewed worker-api", offset_ms: offset })}\n`);
const stop = () => void worker.close().then(() => process.exit(0));
process.once("SIGTERM", stop);
process.once("SIGINT", stop);

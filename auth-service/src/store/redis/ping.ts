import type { RedisConnection } from "@gastown/service-kit";

/** How long a health check waits for PONG. Not a token lifetime: a probe timeout. */
const PING_TIMEOUT_MS = 1000;

/** Is Redis reachable? False when it is down or slow; never throws. */
export async function pingRedis(redis: RedisConnection, timeoutMs = PING_TIMEOUT_MS): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const answered = redis.ping().then(
    (reply) => reply === "PONG",
    () => false,
  );
  try {
    return await Promise.race([answered, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

import { askNode } from "./redis-process.js";

/**
 * The primary on `port` serves at least `count` replicas, each past its first full sync
 * (`state=online`; a replica says `role:slave` before that, and WAIT does not count it) and
 * having acknowledged the whole replication stream (its offset at the primary's).
 */
export async function replicasInSync(port: number, password?: string, count = 1): Promise<boolean> {
  const info = await askNode(port, password, (c) => c.info("replication"));
  const primaryOffset = Number(/master_repl_offset:(\d+)/.exec(info)?.[1]);
  const replicas = [...info.matchAll(/slave\d+:.*state=(\w+),offset=(\d+)/g)].map((m) => ({ state: m[1], offset: Number(m[2]) }));
  return replicas.length >= count && replicas.every((replica) => replica.state === "online" && replica.offset >= primaryOffset);
}

/** `gastown_auth_replication_wait_total` of an auth-service, by outcome (`acknowledged 12, short 0`), from its /metrics. */
export async function replicationWaits(url: string): Promise<string> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const counts = [...text.matchAll(/^gastown_auth_replication_wait_total\{([^}]*)\} (\S+)$/gm)].map(([, labels, value]) => `${/outcome="(\w+)"/.exec(labels ?? "")?.[1]} ${value}`);
  return counts.length > 0 ? counts.join(", ") : "none";
}

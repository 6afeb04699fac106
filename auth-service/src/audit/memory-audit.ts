import { type AuditEntry, type AuditEntryInput, type AuditFilter, type AuditLog, matchesAudit } from "./types.js";

/** The in-memory audit trail (development): a ring of the newest `maxEntries` entries. */
export function createMemoryAuditLog(options: { maxEntries: number; clock: () => number }): AuditLog {
  const ring: (AuditEntry | undefined)[] = new Array(options.maxEntries);
  let written = 0;

  return {
    record(input: AuditEntryInput): void {
      ring[written % options.maxEntries] = { id: String(written + 1), ts: options.clock(), ...input };
      written += 1;
    },
    async query(filter: AuditFilter, limit: number): Promise<AuditEntry[]> {
      const out: AuditEntry[] = [];
      const oldest = Math.max(0, written - options.maxEntries);
      for (let i = written - 1; i >= oldest && out.length < limit; i--) {
        const entry = ring[i % options.maxEntries];
        if (entry && matchesAudit(entry, filter)) out.push({ ...entry });
      }
      return out;
    },
    async flush(): Promise<void> {},
    async close(): Promise<void> {},
  };
}

/**
 * Secret values that are published (README, DESIGN.md, `infra/.env.example`, compose and
 * Kubernetes examples, the development defaults): anyone can read them, so a service
 * outside development refuses them whatever their length. `service-kit/test` checks
 * that every secret placeholder of `infra/.env.example` is refused.
 */
export const PUBLISHED_EXAMPLE_VALUES: readonly string[] = [
  "dev-worker-secret",
  "change-me",
  "changeme",
  "change-me-to-at-least-32-random-characters",
  "secret",
  "password",
];

/** Words that mark a placeholder rather than a generated secret. */
const PLACEHOLDER = /change[-_ ]?me|replace[-_ ]?me|placeholder|example|your[-_ ]?(secret|token|password)|dev-worker-secret|not[-_ ]?a[-_ ]?secret/i;

/** Is `value` a published example or shaped like a placeholder (one character repeated, a marker word)? */
export function isPublishedExample(value: string): boolean {
  const lower = value.trim().toLowerCase();
  if (PUBLISHED_EXAMPLE_VALUES.includes(lower)) return true;
  if (PLACEHOLDER.test(lower)) return true;
  return new Set(lower).size <= 4;
}

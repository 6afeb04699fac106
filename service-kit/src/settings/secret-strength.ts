import { isPublishedExample } from "./published-examples.js";

/** DESIGN.md "Settings": every secret outside development has at least this many characters. */
export const MIN_SECRET_LENGTH = 32;

/**
 * Why `value` cannot be the secret `name` outside development, or undefined when it can:
 * shorter than `MIN_SECRET_LENGTH` or a published example value. Never quotes the value.
 */
export function secretProblem(name: string, value: string): string | undefined {
  if (value.length < MIN_SECRET_LENGTH) return `${name} must be at least ${MIN_SECRET_LENGTH} characters`;
  if (isPublishedExample(value)) return `${name} is a published example value; generate one (e.g. openssl rand -base64 32)`;
  return undefined;
}

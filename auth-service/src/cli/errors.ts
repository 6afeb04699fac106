import { AuthServiceError } from "../errors.js";

/** Exit codes of `gastown-auth` (also printed by `--help`). */
export const EXIT = {
  ok: 0,
  /** Anything unexpected. */
  failure: 1,
  /** Bad arguments, or input the auth-service rejected (400). */
  usage: 2,
  /** The auth-service cannot be reached or failed (5xx, network). */
  unavailable: 3,
  /** A bulk revocation was not confirmed (declined, or stdin is not a terminal and no --yes). */
  notConfirmed: 4,
  /** No such session (404). */
  notFound: 5,
  /** Missing or wrong admin token / client credentials (401). */
  unauthorized: 6,
} as const;

export const EXIT_CODES_HELP = `
Exit codes:
  0  success
  1  unexpected failure
  2  bad arguments, or input the auth-service rejected (400)
  3  the auth-service cannot be reached or failed (5xx)
  4  bulk revocation not confirmed (declined, or stdin is not a terminal and no --yes)
  5  not found (no such session)
  6  unauthorized (missing or wrong admin token or client credentials)

Environment:
  AUTH_ISSUER       auth-service base URL (default http://127.0.0.1:4000), overridden by --url
  AUTH_ADMIN_TOKEN  admin API credential, overridden by --token-file <path> (- reads standard input)
  WORKER_CLIENT_ID, WORKER_CLIENT_SECRET  dispatcher client for "dispatch" (--client-secret-file <path>)
No secret is taken as an argument (ps and shell history show arguments): --token and
--client-secret are refused.`;

/** An error the CLI reports as one line on stderr, exiting with `exitCode`. */
export class CliError extends AuthServiceError {
  override readonly code = "ERR_AUTH_CLI";
  override name = "CliError";
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

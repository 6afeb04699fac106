/** Claim names of access tokens (RFC 9068 plus Gastown's own). */
export const CLAIMS = {
  issuer: "iss",
  audience: "aud",
  subject: "sub",
  clientId: "client_id",
  issuedAt: "iat",
  expiresAt: "exp",
  jwtId: "jti",
  scope: "scope",
  sessionId: "sid",
  agentId: "agent_id",
  rigId: "rig_id",
  townId: "town_id",
  userId: "user_id",
  role: "role",
} as const;

/** Claims every access token must carry (`rig_id` is absent for town-level agents). */
export const REQUIRED_CLAIMS = [
  "iss", "aud", "sub", "client_id", "iat", "exp", "jti", "scope", "sid", "agent_id", "town_id", "user_id", "role",
] as const;

/** RFC 9068 §2.1: the `typ` header of a JWT access token. */
export const ACCESS_TOKEN_TYPE = "at+jwt";

export const ROLES = ["mayor", "polecat", "refinery", "triage"] as const;
export type Role = (typeof ROLES)[number];

export const SCOPES = ["agent", "mayor"] as const;
export type Scope = (typeof SCOPES)[number];

/** Scopes each role may hold; a dispatch without `scope` gets all of them. */
export const ROLE_SCOPES: Readonly<Record<Role, readonly Scope[]>> = {
  mayor: ["agent", "mayor"],
  polecat: ["agent"],
  refinery: ["agent"],
  triage: ["agent"],
};

/** Syntax of agent_id, rig_id, town_id and user_id. */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

export function isId(value: unknown): value is string {
  return typeof value === "string" && ID_PATTERN.test(value);
}

/** Syntax of a session id (the `sid` claim): 16 random bytes, base64url (22 characters). */
export const SESSION_ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;

export function isSessionId(value: unknown): value is string {
  return typeof value === "string" && SESSION_ID_PATTERN.test(value);
}

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}

/** Splits a space-delimited scope string (RFC 6749 §3.3) into its unique tokens. */
export function parseScope(scope: string): string[] {
  return [...new Set(scope.split(" ").filter((s) => s.length > 0))];
}

export function hasScope(scope: string, wanted: Scope): boolean {
  return parseScope(scope).includes(wanted);
}

/** The verified claims of a Gastown access token. */
export interface AccessTokenClaims {
  iss: string;
  aud: string | string[];
  sub: string;
  client_id: string;
  iat: number;
  exp: number;
  jti: string;
  scope: string;
  sid: string;
  agent_id: string;
  rig_id?: string;
  town_id: string;
  user_id: string;
  role: Role;
}

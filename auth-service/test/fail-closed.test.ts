import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { AuthConfigError, loadAuthConfig } from "../src/index.js";

/** DESIGN.md "Settings" (issue 14): development defaults only with NODE_ENV=development; strong secrets otherwise. */
const STRONG = { client: "w0rk3r-Q9vX2mL7pR4tK8nB3cJ6hF1dS5gA", admin: "adm1n-Z8yW3qE6rT9uI2oP5aS7dF4gH1jK", secret: "t0k3n-M4nB7vC2xZ9lK6jH3gF8dS1aQ5wE" };
const ALL_SET = { AUTH_DISPATCHER_CLIENTS: `worker:${STRONG.client}`, AUTH_ADMIN_TOKEN: STRONG.admin, AUTH_TOKEN_SECRET: STRONG.secret, REDIS_URL: "redis://127.0.0.1:6379" };
const EVERY_DEFAULT = "AUTH_DISPATCHER_CLIENTS, AUTH_ADMIN_TOKEN, AUTH_SIGNING_KEYS_FILE, AUTH_TOKEN_SECRET, REDIS_URL";

function envExample(name: string): string {
  const text = readFileSync(fileURLToPath(new URL("../../infra/.env.example", import.meta.url)), "utf8");
  const line = text.split("\n").find((l) => l.startsWith(`${name}=`));
  if (!line) throw new Error(`infra/.env.example has no ${name}`);
  return line.slice(name.length + 1).trim();
}

/** The AUTH_TOKEN_SECRET placeholder infra/.env.example shipped (42 characters, published). */
const SHIPPED_PLACEHOLDER = "change-me-to-at-least-32-random-characters";

async function refusal(env: NodeJS.ProcessEnv): Promise<string> {
  try {
    await loadAuthConfig({ env });
  } catch (error) {
    assert.ok(error instanceof AuthConfigError, String(error));
    return error.message;
  }
  assert.fail("the configuration was accepted");
}

describe("fail closed on configuration", () => {
  for (const nodeEnv of [undefined, "production", "staging"]) {
    it(`NODE_ENV=${nodeEnv ?? "(unset)"}: refuses the development defaults, naming every missing setting in one message`, async () => {
      const message = await refusal(nodeEnv === undefined ? {} : { NODE_ENV: nodeEnv });
      assert.match(message, new RegExp(`missing setting\\(s\\): ${EVERY_DEFAULT}$`));
    });
  }

  it("with NODE_ENV=development the defaults are used and listed", async () => {
    const config = await loadAuthConfig({ env: { NODE_ENV: "development" } });
    assert.deepEqual(config.developmentDefaults, EVERY_DEFAULT.split(", "));
    assert.deepEqual(config.dispatcherClients, [{ id: "worker", secret: "dev-worker-secret" }]);
  });

  it("refuses weak secrets: an operator-style token x, change-me, every one named at once", async () => {
    const message = await refusal({ ...ALL_SET, AUTH_SIGNING_KEYS_FILE: "/nonexistent", AUTH_DISPATCHER_CLIENTS: "worker:change-me", AUTH_ADMIN_TOKEN: "x".repeat(20) });
    assert.match(message, /AUTH_DISPATCHER_CLIENTS secret of worker must be at least 32 characters/);
    assert.match(message, /AUTH_ADMIN_TOKEN must be at least 32 characters/);
    assert.ok(!message.includes("change-me") && !message.includes("x".repeat(20)), "never quotes a secret");
  });

  it("refuses infra/.env.example's AUTH_TOKEN_SECRET placeholder (long enough, but published), and the file as it stands", async () => {
    const placeholder = SHIPPED_PLACEHOLDER;
    assert.ok(placeholder.length >= 32);
    const asShipped = envExample("AUTH_TOKEN_SECRET");
    assert.match(await refusal({ ...ALL_SET, AUTH_SIGNING_KEYS_FILE: "/nonexistent", AUTH_TOKEN_SECRET: asShipped }), asShipped === "" ? /missing setting\(s\): AUTH_TOKEN_SECRET/ : /AUTH_TOKEN_SECRET/);
    const message = await refusal({ ...ALL_SET, AUTH_SIGNING_KEYS_FILE: "/nonexistent", AUTH_TOKEN_SECRET: `${STRONG.secret},${placeholder}` });
    assert.match(message, /AUTH_TOKEN_SECRET secret 2 is a published example value/);
    assert.ok(!message.includes(placeholder));
  });

  it("refuses the published development dispatcher secret outside development", async () => {
    const message = await refusal({ ...ALL_SET, AUTH_SIGNING_KEYS_FILE: "/nonexistent", AUTH_DISPATCHER_CLIENTS: "worker:dev-worker-secret" });
    assert.match(message, /AUTH_DISPATCHER_CLIENTS secret of worker must be at least 32/);
  });
});

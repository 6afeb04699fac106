import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { ConfigError, isPublishedExample, parseHost, SettingsReader, secretProblem } from "../src/index.js";

const ENV_EXAMPLE = fileURLToPath(new URL("../../infra/.env.example", import.meta.url));
const STRONG = "Q9vX2mL7pR4tK8nB3cJ6hF1dS5gA0zYw";
const reader = (env: NodeJS.ProcessEnv) => new SettingsReader(env, { service: "svc", error: (message) => new ConfigError(message) });

/** `NAME=value` lines of an env file (comments and blanks skipped). */
function envFile(path: string): [string, string][] {
  return readFileSync(path, "utf8")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith("#") && line.includes("="))
    .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1).replace(/^["']|["']$/g, "")] as [string, string]);
}

describe("settings: the development-defaults rule", () => {
  it("uses development defaults only with NODE_ENV=development", () => {
    const dev = reader({ NODE_ENV: "development" });
    assert.equal(dev.withDevelopmentDefault("A_SECRET", "dev-value"), "dev-value");
    assert.deepEqual([...dev.developmentDefaults], ["A_SECRET"]);
    dev.done();
  });

  for (const nodeEnv of [undefined, "production", "test", "Development "]) {
    it(`NODE_ENV=${JSON.stringify(nodeEnv)} names EVERY missing setting in one message`, () => {
      const settings = reader(nodeEnv === undefined ? {} : { NODE_ENV: nodeEnv });
      if (nodeEnv?.trim() === "Development") return assert.equal(settings.development, false);
      settings.withDevelopmentDefault("FIRST", "x");
      settings.secret("SECOND", "y");
      settings.usesDevelopmentDefault("THIRD");
      assert.throws(() => settings.done(), (error: Error) => error instanceof ConfigError && /missing setting\(s\): FIRST, SECOND, THIRD$/.test(error.message));
    });
  }

  it("collects bad values with the missing ones", () => {
    const settings = reader({ PORT_X: "99999", HOST_X: "a b", URL_X: "ftp://x", LOG_LEVEL: "loud" });
    settings.port("PORT_X", 1);
    settings.host("HOST_X");
    settings.url("URL_X", "http://x");
    settings.logLevel();
    settings.withDevelopmentDefault("MISSING_X", "d");
    assert.throws(() => settings.done(), (error: Error) => ["PORT_X", "HOST_X", "URL_X", "LOG_LEVEL", "MISSING_X"].every((name) => error.message.includes(name)));
  });

  it("reads hosts, ports, URLs and LOG_LEVEL", () => {
    const settings = reader({ H: " 0.0.0.0 ", P: "0", U: "https://auth.example.test/", LOG_LEVEL: "WARN" });
    assert.deepEqual([settings.host("H"), settings.host("UNSET"), settings.port("P", 4000), settings.url("U", "http://x"), settings.logLevel()], ["0.0.0.0", "127.0.0.1", 0, "https://auth.example.test", "warn"]);
    assert.equal(parseHost("X", "[::1]"), "::1");
    assert.equal(parseHost("X", "auth-service.gastown.svc.cluster.local"), "auth-service.gastown.svc.cluster.local");
    settings.done();
  });
});

describe("settings: <PREFIX>_TLS_CERT_FILE and <PREFIX>_TLS_KEY_FILE", () => {
  const here = fileURLToPath(import.meta.url);
  it("neither: plain HTTP; both (files there): HTTPS", () => {
    const none = reader({});
    assert.equal(none.tls("SVC"), undefined);
    none.done();
    const both = reader({ SVC_TLS_CERT_FILE: here, SVC_TLS_KEY_FILE: here });
    assert.deepEqual(both.tls("SVC"), { certFile: here, keyFile: here });
    both.done();
  });

  it("one without the other, or a file that is not there, refuses to start", () => {
    for (const env of [{ SVC_TLS_CERT_FILE: here }, { SVC_TLS_KEY_FILE: here }, { SVC_TLS_CERT_FILE: here, SVC_TLS_KEY_FILE: "/nonexistent/key.pem" }]) {
      const settings = reader(env);
      settings.tls("SVC");
      assert.throws(() => settings.done(), (error: Error) => /SVC_TLS_(CERT|KEY)_FILE/.test(error.message), JSON.stringify(env));
    }
  });
});

describe("settings: secret strength outside development", () => {
  it("refuses short secrets and published example values, never quoting them", () => {
    assert.match(secretProblem("T", "x") ?? "", /T must be at least 32 characters/);
    for (const example of ["dev-worker-secret", "change-me", "change-me-to-at-least-32-random-characters", "a".repeat(40), "your-secret-token-goes-here-0123456789"]) {
      const problem = secretProblem("T", example) ?? "";
      assert.ok(problem !== "" && !problem.includes(example), example);
    }
    assert.equal(secretProblem("T", STRONG), undefined);
  });

  it("refuses every secret placeholder infra/.env.example has published, its AUTH_TOKEN_SECRET one first of all", () => {
    // The placeholder infra/.env.example shipped (42 characters: long enough to pass a length check alone).
    const published = "change-me-to-at-least-32-random-characters";
    assert.ok(published.length >= 32 && isPublishedExample(published));
    const settings = reader({ AUTH_TOKEN_SECRET: published });
    settings.checkSecret("AUTH_TOKEN_SECRET", settings.string("AUTH_TOKEN_SECRET"));
    assert.throws(() => settings.done(), /AUTH_TOKEN_SECRET is a published example value/);
    // Whatever the file holds now: every secret it names is refused as it stands (an empty one as missing).
    const secrets = envFile(ENV_EXAMPLE).filter(([name]) => /SECRET|TOKEN|PASSWORD|CLIENTS/.test(name));
    assert.ok(secrets.length >= 5, "infra/.env.example names the secrets");
    for (const [name, value] of secrets) {
      const secret = value.includes(":") ? value.slice(value.indexOf(":") + 1) : value;
      const check = reader({ [name]: secret });
      check.secret(name, "development default");
      assert.throws(() => check.done(), new RegExp(name), `${name}=${value} is refused`);
    }
  });

  it("accepts anything in development", () => {
    const settings = reader({ NODE_ENV: "development" });
    settings.checkSecret("T", "x");
    settings.done();
  });
});

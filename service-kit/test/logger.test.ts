import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { describe, it } from "node:test";
import { createLogger } from "../src/index.js";

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, destination };
}

describe("logger", () => {
  it("redacts every secret field name the services use, at the top and one level down", () => {
    const { lines, destination } = capture();
    const log = createLogger({ name: "test", destination });
    const secrets = {
      token: "S1", tokens: "S2", access_token: "S3", refresh_token: "S4", client_secret: "S5", clientSecret: "S6", secret: "S7",
      password: "S8", authorization: "S9", cookie: "S10", adminToken: "S11", operatorToken: "S12", containerControlToken: "S13", controlToken: "S14", tokenSecrets: "S15",
    };
    log.info({ ...secrets, nested: secrets, headers: { authorization: "S16", cookie: "S17", "set-cookie": "S18" }, req: { headers: { authorization: "S19" } }, sid: "visible-sid" }, "line");
    const line = lines.join("");
    for (let i = 1; i <= 19; i++) assert.ok(!line.includes(`"S${i}"`), `S${i} leaked: ${line}`);
    assert.match(line, /visible-sid/);
  });

  it("matches names in any case, leaves other fields and the caller's object alone", () => {
    const { lines, destination } = capture();
    const log = createLogger({ name: "test", destination });
    const fields = { Authorization: "Bearer S20", headers: { Cookie: "S21" }, agent_id: "polecat-1" };
    log.info(fields, "line");
    const line = lines.join("");
    assert.ok(!line.includes("S20") && !line.includes("S21"), line);
    assert.match(line, /polecat-1/);
    assert.equal(fields.Authorization, "Bearer S20", "the logged object itself is not changed");
  });

  it("honours the level", () => {
    const { lines, destination } = capture();
    const log = createLogger({ name: "test", level: "warn", destination });
    log.info("dropped");
    log.warn("kept");
    assert.equal(lines.length, 1);
  });
});

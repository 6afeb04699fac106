import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { connect } from "node:net";
import { test } from "node:test";
import { closeRedis, createRedisConnection, createRedisSubscriber, redisSettings } from "@gastown/service-kit";
import { freePort, waitFor } from "@gastown/testkit";
import { parse, parseAllDocuments } from "yaml";

// The deployment files say what the tests prove (issue 13): every service binds where its
// *_HOST says, names only its own secrets, reaches Redis as its own ACL user, and only the
// worker reaches the control server.
const infra = new URL("..", import.meta.url);
const k8sDir = new URL("k8s/", infra);

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec?: Record<string, unknown>;
}
const manifests: Manifest[] = readdirSync(k8sDir)
  .filter((file) => file.endsWith(".yaml"))
  .flatMap((file) => parseAllDocuments(readFileSync(new URL(file, k8sDir), "utf8")).map((doc) => doc.toJS() as Manifest));

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string } };
}
interface PodSpec {
  containers: { env?: EnvVar[] }[];
  volumes?: { secret?: { secretName: string } }[];
}
function podOf(name: string): PodSpec {
  const deployment = manifests.find((m) => m.kind === "Deployment" && m.metadata.name === name);
  assert.ok(deployment, `Deployment ${name}`);
  return (deployment.spec as { template: { spec: PodSpec } }).template.spec;
}
const envOf = (name: string) => podOf(name).containers.flatMap((c) => c.env ?? []);

/** The settings the README's Settings table names (every name a manifest sets must be one). */
const SETTINGS = new Set(["NODE_ENV", ...[...readFileSync(new URL("../README.md", infra), "utf8").matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]!)]);

test("every manifest is valid against the Kubernetes schemas (kubernetes-models)", async () => {
  assert.ok(manifests.length >= 10, `${manifests.length} manifests`);
  for (const manifest of manifests) {
    const [group, version] = manifest.apiVersion.includes("/") ? manifest.apiVersion.split("/") : [undefined, manifest.apiVersion];
    const module = (await import(`kubernetes-models/${group ? `${group}/` : ""}${version}/${manifest.kind}`)) as Record<string, new (data: unknown) => { validate(): void }>;
    const Model = module[manifest.kind];
    assert.ok(Model, `no model for ${manifest.apiVersion} ${manifest.kind}`);
    assert.doesNotThrow(() => new Model(manifest).validate(), `${manifest.kind} ${manifest.metadata.name}`);
  }
  // A check that can fail: a wrong type is refused.
  const { Deployment } = await import("kubernetes-models/apps/v1/Deployment");
  assert.throws(() => new Deployment({ metadata: { name: "x" }, spec: { selector: {}, template: { spec: { containers: [{ name: "a", ports: [{ containerPort: "4000" }] }] } } } } as never).validate());
});

const SERVICES = [
  { deployment: "gastown-auth", host: "AUTH_HOST", secrets: ["gastown-auth", "gastown-auth-tls", "gastown-redis-auth"] },
  { deployment: "gastown-worker", host: "WORKER_HOST", secrets: ["gastown-worker", "gastown-redis-worker", "gastown-container-control"] },
  { deployment: "gastown-container", host: "CONTAINER_HOST", secrets: ["gastown-container-control"] },
];

test("k8s: each service binds 0.0.0.0, sets only known settings and names only its own secrets", () => {
  for (const { deployment, host, secrets } of SERVICES) {
    const env = envOf(deployment);
    assert.equal(env.find((e) => e.name === host)?.value, "0.0.0.0", `${deployment} ${host}`);
    for (const { name } of env) assert.ok(SETTINGS.has(name), `${deployment} sets ${name}, which the README's Settings table does not name`);
    const used = new Set([...env.flatMap((e) => (e.valueFrom?.secretKeyRef ? [e.valueFrom.secretKeyRef.name] : [])), ...(podOf(deployment).volumes ?? []).flatMap((v) => (v.secret ? [v.secret.secretName] : []))]);
    assert.deepEqual([...used].sort(), [...secrets].sort(), `${deployment} secrets`);
    for (const e of env) if (/SECRET|TOKEN|PASSWORD/.test(e.name)) assert.ok(e.valueFrom?.secretKeyRef, `${deployment} ${e.name} comes from a Secret`);
  }
  const containerEnv = envOf("gastown-container").map((e) => e.name);
  assert.ok(!containerEnv.some((n) => n.startsWith("REDIS_")), "the container supervisor has no Redis access");
});

test("k8s and compose: production issuer is https; the auth-service serves its certificate, the others trust its CA", () => {
  const compose = parse(readFileSync(new URL("compose.yaml", infra), "utf8")) as { services: Record<string, { environment?: Record<string, string>; volumes?: string[] }> };
  for (const { deployment } of SERVICES) {
    const env = envOf(deployment);
    const value = (name: string) => env.find((e) => e.name === name)?.value;
    assert.match(value("AUTH_ISSUER") ?? "", /^https:\/\/gastown-auth:4000$/, `${deployment} AUTH_ISSUER`);
    if (deployment === "gastown-auth") {
      assert.ok(value("AUTH_TLS_CERT_FILE") && value("AUTH_TLS_KEY_FILE"), "the auth-service answers HTTPS");
      const probes = (podOf(deployment).containers[0] as { readinessProbe?: { httpGet?: { scheme?: string } } }).readinessProbe;
      assert.equal(probes?.httpGet?.scheme, "HTTPS");
    } else {
      assert.ok(value("NODE_EXTRA_CA_CERTS"), `${deployment} trusts the auth-service's CA`);
      assert.ok((podOf(deployment).volumes ?? []).some((v) => (v as { configMap?: { name: string } }).configMap?.name === "gastown-auth-ca"), `${deployment} mounts ConfigMap gastown-auth-ca`);
    }
  }
  const { auth, worker, container } = compose.services;
  assert.equal(auth?.environment?.AUTH_ISSUER, "https://auth:4000");
  assert.ok(auth?.environment?.AUTH_TLS_CERT_FILE && auth.environment.AUTH_TLS_KEY_FILE);
  for (const service of [worker, container]) {
    assert.equal(service?.environment?.AUTH_ISSUER, "https://auth:4000");
    assert.ok(service?.volumes?.some((v) => v.endsWith(`:${service.environment?.NODE_EXTRA_CA_CERTS}:ro`)), "the CA file is mounted where NODE_EXTRA_CA_CERTS points");
  }
});

interface Rule {
  from?: { podSelector?: { matchLabels?: Record<string, string> } }[];
  to?: { podSelector?: { matchLabels?: Record<string, string> } }[];
  ports?: { port: number }[];
}
function policyFor(app: string): { ingress?: Rule[]; egress?: Rule[]; policyTypes: string[] } {
  const policy = manifests.find((m) => m.kind === "NetworkPolicy" && (m.spec as { podSelector: { matchLabels: Record<string, string> } }).podSelector.matchLabels.app === app);
  assert.ok(policy, `a NetworkPolicy for ${app}`);
  return policy.spec as never;
}
const peers = (rules: Rule[] | undefined, side: "from" | "to") => (rules ?? []).flatMap((r) => (r[side] ?? []).map((p) => p.podSelector?.matchLabels?.app ?? JSON.stringify(p.podSelector?.matchLabels)));

test("k8s: only the worker reaches the control server; only auth and worker reach Redis; agents reach nothing else", () => {
  const control = policyFor("gastown-container");
  assert.deepEqual(peers(control.ingress, "from"), ["gastown-worker"]);
  assert.deepEqual(control.ingress?.[0]?.ports?.map((p) => p.port), [4200]);
  assert.ok(control.policyTypes.includes("Egress"));
  assert.ok(!peers(control.egress, "to").includes("gastown-redis"), "agents never reach Redis");
  assert.deepEqual(peers(policyFor("gastown-redis").ingress, "from").sort(), ["gastown-auth", "gastown-worker"]);
  for (const app of ["gastown-auth", "gastown-worker"]) assert.ok(!peers(policyFor(app).ingress, "from").includes("gastown-redis"));
});

test("compose: no shared env_file; each service gets only its own secrets and binds 0.0.0.0", () => {
  const compose = parse(readFileSync(new URL("compose.yaml", infra), "utf8")) as { services: Record<string, { env_file?: unknown; environment?: Record<string, string> }> };
  const owners: Record<string, string[]> = {
    AUTH_TOKEN_SECRET: ["auth"],
    AUTH_ADMIN_TOKEN: ["auth"],
    WORKER_OPERATOR_TOKEN: ["worker"],
    WORKER_CLIENT_SECRET: ["auth", "worker"],
    CONTAINER_CONTROL_TOKEN: ["worker", "container"],
    REDIS_AUTH_PASSWORD: ["redis", "auth"],
    REDIS_WORKER_PASSWORD: ["redis", "worker"],
  };
  for (const [name, service] of Object.entries(compose.services)) {
    assert.equal(service.env_file, undefined, `${name} has no env_file`);
    const text = JSON.stringify(service.environment ?? {});
    for (const [secret, allowed] of Object.entries(owners)) assert.equal(text.includes(`\${${secret}`), allowed.includes(name), `${secret} in ${name}`);
  }
  assert.equal(compose.services.auth?.environment?.AUTH_HOST, "0.0.0.0");
  assert.equal(compose.services.worker?.environment?.WORKER_HOST, "0.0.0.0");
  assert.equal(compose.services.container?.environment?.CONTAINER_HOST, "0.0.0.0");
});

test("Redis ACL (infra/redis/users.acl.sh): one user per service on gt: keys and channels; default user off; no dangerous commands", { timeout: 60_000 }, async (t) => {
  const port = await freePort();
  const passwords = { REDIS_AUTH_PASSWORD: "acl-auth-password-0123456789abcdef", REDIS_WORKER_PASSWORD: "acl-worker-password-0123456789abcd" };
  const server = spawn("sh", [new URL("redis/users.acl.sh", infra).pathname, new URL("redis/redis.conf", infra).pathname, "--port", String(port), "--bind", "127.0.0.1", "--dir", "/tmp", "--appendonly", "no", "--save", ""], { env: { ...process.env, ...passwords }, stdio: "ignore" });
  t.after(() => server.kill("SIGKILL"));
  const url = `redis://127.0.0.1:${port}`;
  const auth = createRedisConnection(redisSettings({ REDIS_URL: url, REDIS_USERNAME: "auth", REDIS_PASSWORD: passwords.REDIS_AUTH_PASSWORD })!, { name: "gt:acl-auth", reconnectDelayMs: () => 100, maxRetriesPerRequest: 50 });
  const worker = createRedisSubscriber(redisSettings({ REDIS_URL: url, REDIS_USERNAME: "worker", REDIS_PASSWORD: passwords.REDIS_WORKER_PASSWORD })!, { name: "gt:acl-worker", reconnectDelayMs: () => 100 });
  for (const c of [auth, worker]) c.on("error", () => {});
  t.after(async () => {
    worker.disconnect();
    await closeRedis(auth);
  });
  await waitFor(() => auth.ping().catch(() => false), 10_000, "the ACL'd Redis as user auth");
  const received: string[] = [];
  worker.on("message", (_channel: string, message: string) => received.push(message));
  await worker.subscribe("gt:revocations");
  assert.equal(await auth.eval("redis.call('HSET', KEYS[1], 'g', ARGV[1]); return redis.call('HGET', KEYS[1], 'g')", 1, "gt:session:{s1}", "7"), "7");
  await auth.publish("gt:revocations", "hello");
  await waitFor(() => received.includes("hello"), 5_000, "a message from auth to worker");
  await assert.rejects(auth.set("other:key", "1"), /NOPERM/);
  await assert.rejects(auth.flushall(), /NOPERM/);
  await assert.rejects(auth.call("KEYS", "*"), /NOPERM/);
  // Without a user and password (a raw RESP request: ioredis gives up on the handshake).
  const reply = await new Promise<string>((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.write("GET gt:session:{s1}\r\n"));
    socket.once("data", (data) => {
      resolve(data.toString());
      socket.destroy();
    });
    socket.once("error", reject);
  });
  assert.match(reply, /^-NOAUTH/);
});

// TcbClient.restoreConfig through the packed package, against the simulator: an earlier `raw`
// written back as it is, through the same read-modify-write as the edit helpers. Every test
// checks the simulator's stored text and its count of uploads.
import { test, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { TcbClient, getFuncConfig } from "tcb-funcconfig";
import { ENV, SIM, TOKEN, base, control, makeRejection } from "./helpers.mjs";

const UPLOAD = "/tcb/uploadfuncconfig";
const NEW_SECRET = "r3store-s3cret-Value-11";
const SECRETS = ["s3cr3t-pa55w0rd", TOKEN, NEW_SECRET];
const rejection = makeRejection({ file: "restore.test.mjs", secrets: SECRETS });
const client = () => new TcbClient({ accessToken: TOKEN, baseUrl: SIM });
const uploads = async () => (await control(`/__sim/requests?path=${encodeURIComponent(UPLOAD)}`)).length;
const stored = (fn, type) => getFuncConfig({ ...base, functionName: fn, type });

/** Writes `text` as the config straight to the simulator, as WeChat's own tools would. */
async function uploadText(fn, type, text) {
  const res = await fetch(`${SIM}${UPLOAD}?access_token=${TOKEN}`, {
    method: "POST",
    body: JSON.stringify({ type, env: ENV, function_name: fn, config: text }),
  });
  assert.equal((await res.json()).errcode, 0);
}

beforeEach(() => control("/__sim/reset", {}));

test("restoreConfig writes an earlier raw back exactly, members the package does not model included", async () => {
  const earlier = '{ "timeout": 9, "environment": [{"key":"REGION","value":"ap-guangzhou","note":"kept"}], "memo": 1.50 }';
  await uploadText("orderSync", 3, earlier);
  const c = client();
  const edited = await c.updateEnvironment(ENV, "orderSync", { set: { REGION: NEW_SECRET }, timeout: 20 });
  assert.equal(edited.written, true);
  const before = await uploads();

  const result = await c.restoreConfig(ENV, "orderSync", 3, earlier, { expectedRaw: edited.config.raw });
  assert.equal(result.written, true);
  assert.equal(result.config.raw, earlier);
  assert.deepEqual(
    result.changes.map(({ op, field, key, masked }) => ({ op, field, key, masked })),
    [
      { op: "changed", field: "timeout", key: "timeout", masked: undefined },
      { op: "changed", field: "environment", key: "REGION", masked: true },
    ],
  );
  assert.equal(await uploads(), before + 1);
  assert.equal((await stored("orderSync", 3)).raw, earlier);
});

test("restoreConfig names each type by number or name and writes nothing when the text is already there", async () => {
  const c = client();
  const current = await stored("orderSync", 1);
  const before = await uploads();
  const same = await c.restoreConfig(ENV, "orderSync", "cloudCall", current.raw);
  assert.deepEqual([same.written, same.changes, same.config.raw], [false, [], current.raw]);
  assert.equal(await uploads(), before);

  const other = '{"permissions":{"openapi":["wxacode.get"]}}';
  const r = await c.restoreConfig(ENV, "orderSync", 1, other);
  assert.equal(r.written, true);
  assert.equal((await stored("orderSync", 1)).raw, other);
});

test("restoreConfig's dry run shows the change list and writes nothing", async () => {
  const c = client();
  const current = await stored("orderSync", 3);
  const target = '{"timeout":3,"environment":[]}';
  const dry = await c.restoreConfig(ENV, "orderSync", 3, target, { expectedRaw: current.raw, dryRun: true, revealValues: false });
  assert.equal(dry.written, false);
  assert.equal(dry.config.raw, target);
  const vars = dry.changes.filter((ch) => ch.field === "environment");
  assert.deepEqual(vars.map((ch) => [ch.op, ch.key]), [["removed", "DB_HOST"], ["removed", "DB_PASSWORD"], ["removed", "REGION"]]);
  assert.ok(dry.changes.every((ch) => ch.field !== "environment" || ch.masked === true));
  assert.equal(await uploads(), 0);
  assert.equal((await stored("orderSync", 3)).raw, current.raw);
});

test("restoreConfig over a config that moved is a conflict and nothing is written", async () => {
  const c = client();
  const old = await stored("orderSync", 3);
  await uploadText("orderSync", 3, '{"timeout":4,"environment":[]}');
  const before = await uploads();
  const e = await rejection(c.restoreConfig(ENV, "orderSync", 3, '{"timeout":5,"environment":[]}', { expectedRaw: old.raw }));
  assert.equal(e.code, "conflict");
  assert.equal(await uploads(), before);
  assert.equal((await stored("orderSync", 3)).raw, '{"timeout":4,"environment":[]}');
});

test("restoreConfig refuses a raw that is not a valid config of the type before anything is sent", async () => {
  const c = client();
  const cases = [
    [3, "not json", "raw"],
    [3, '{"permissions":{"openapi":[]}}', "raw"],
    [1, '{"permissions":{"openapi":["nope"]}}', "config.openapi[0]"],
    [3, '{"timeout":301,"environment":[]}', "config.timeout"],
    [2, '{"triggers":[{"name":"t","type":"timer","config":"0 0 25 * * * *"}]}', "config.triggers"],
    [7, '{"timeout":3,"environment":[]}', "type"],
    [3, 42, "raw"],
  ];
  for (const [type, raw, field] of cases) {
    const e = await rejection(c.restoreConfig(ENV, "orderSync", type, raw));
    assert.equal(e.code, "invalid_argument", `${raw}: ${e.code}`);
    assert.ok(e.message.includes(field), `"${e.message}" should name ${field}`);
  }
  assert.deepEqual(await control("/__sim/requests"), []);
});

// Runs the channel's feed logic (source/feed.brs) headless in the brs
// interpreter against saved feeds, and checks the fixtures against the
// Newsdesk schemas. Run: node --test tests/   (from roku/)
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const Ajv2020 = require("ajv/dist/2020").default;
const addFormats = require("ajv-formats").default;

const ROKU = join(dirname(fileURLToPath(import.meta.url)), "..");
const FIXTURES = join(ROKU, "tests", "fixtures");
const SCHEMAS = join(ROKU, "..", "schemas");
const LARGE = join(ROKU, "out", "fixtures", "feed-large.json");
const MAX_FEED_BYTES = 512000;

function readJson(path) {
  return JSON.parse(readFileSync(path, "utf8"));
}

// A schema-valid feed over the 500 KB budget, made from the fixture's own
// cards (so it stays valid whatever feed.json holds): the channel must
// refuse it for its size alone.
function writeLargeFeed() {
  const feed = readJson(join(FIXTURES, "feed.json"));
  const cards = feed.rows.flatMap((row) => row.items);
  const rows = [];
  let n = 0;
  while (Buffer.byteLength(JSON.stringify({ ...feed, rows })) <= MAX_FEED_BYTES + 50000) {
    const items = Array.from({ length: 40 }, (_, i) => {
      const card = structuredClone(cards[(n * 40 + i) % cards.length]);
      card.id = (n * 1000 + i).toString(16).padStart(16, "0");
      return card;
    });
    rows.push({ id: `row-${n}`, title: `Row ${n}`, items });
    n += 1;
  }
  mkdirSync(dirname(LARGE), { recursive: true });
  writeFileSync(LARGE, JSON.stringify({ ...feed, rows }));
}

function validators() {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats(ajv);
  const feedSchema = readJson(join(SCHEMAS, "channel-feed.schema.json"));
  const detailSchema = readJson(join(SCHEMAS, "article-detail.schema.json"));
  ajv.addSchema(feedSchema);
  ajv.addSchema(detailSchema);
  return { feed: ajv.getSchema(feedSchema.$id), detail: ajv.getSchema(detailSchema.$id) };
}

writeLargeFeed();

test("fixtures", async (t) => {
  const haveSchemas = existsSync(join(SCHEMAS, "channel-feed.schema.json"));
  const v = haveSchemas ? validators() : null;
  const skip = haveSchemas ? false : "no ../schemas next to roku/";

  await t.test("feed.json is a valid channel feed", { skip }, () => {
    const ok = v.feed(readJson(join(FIXTURES, "feed.json")));
    assert.ok(ok, JSON.stringify(v.feed.errors, null, 1));
  });
  await t.test("article.json is a valid article detail", { skip }, () => {
    const ok = v.detail(readJson(join(FIXTURES, "article.json")));
    assert.ok(ok, JSON.stringify(v.detail.errors, null, 1));
  });
  await t.test("the large feed is valid and only too large", { skip }, () => {
    assert.ok(v.feed(readJson(LARGE)), JSON.stringify(v.feed.errors?.slice(0, 3)));
    assert.ok(readFileSync(LARGE).length > MAX_FEED_BYTES);
  });
  await t.test("feed-no-rows.json is invalid only for its missing rows", { skip }, () => {
    const doc = readJson(join(FIXTURES, "feed-no-rows.json"));
    assert.equal(v.feed(doc), false);
    assert.deepEqual(v.feed.errors.map((e) => e.params.missingProperty), ["rows"]);
  });
  await t.test("a feed with a breaking alert is valid, and a two-line alert is not", { skip }, () => {
    const feed = readJson(join(FIXTURES, "feed.json"));
    const story = feed.rows[0].items[0];
    const alert = { id: "0123456789ab", text: "Bridge closed", storyId: story.id,
      detailUrl: story.detailUrl, raisedAt: "2026-12-02T01:00:00Z",
      expiresAt: "2026-12-02T01:30:00.250Z" };
    assert.ok(v.feed({ ...feed, breaking: alert }), JSON.stringify(v.feed.errors, null, 1));
    assert.equal(v.feed({ ...feed, breaking: { ...alert, text: "a\nb" } }), false);
    assert.equal(v.feed({ ...feed, breaking: { ...alert, text: "x".repeat(111) } }), false);
  });
  await t.test("feed-broken.json and feed-empty.json are not JSON", () => {
    for (const name of ["feed-broken.json", "feed-empty.json"]) {
      assert.throws(() => readJson(join(FIXTURES, name)), SyntaxError, name);
    }
  });
});

test("feed.brs in the brs interpreter", async (t) => {
  const brs = join(ROKU, "node_modules", "@rokucommunity", "brs", "bin", "cli.js");
  const run = spawnSync(process.execPath, [brs, "--no-color", "--root", ROKU, "source/feed.brs", "source/breaking.brs", "tests/brs/main.brs"], {
    cwd: ROKU,
    encoding: "utf8",
    timeout: 120000,
  });
  const lines = run.stdout.split("\n").map((line) => line.trimEnd());
  const planned = lines.find((line) => line.startsWith("tests:"));
  const summary = lines.find((line) => /^brs: \d+ passed, \d+ failed$/.test(line));
  const results = lines.filter((line) => line.startsWith("ok ") || line.startsWith("not ok "));

  for (const line of results) {
    const failed = line.startsWith("not ok ");
    const name = failed ? line.slice(7).split(": ")[0] : line.slice(3);
    await t.test(name, () => {
      assert.ok(!failed, line);
    });
  }
  await t.test("the brs run finished every test", () => {
    assert.equal(run.status, 0, `brs exited ${run.status}: ${run.stderr}`);
    assert.ok(planned, `no plan line; stdout:\n${run.stdout}\nstderr:\n${run.stderr}`);
    assert.ok(summary, `no summary line (a runtime error stopped brs?)\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`);
    assert.equal(results.length, Number(planned.split(":")[1]), "every planned test reported");
    assert.match(summary, / 0 failed$/);
  });
  await t.test("brs reported no runtime error", () => {
    // ParseJSON errors are expected (the broken-feed tests), and brs, which
    // loads components/ too, has no Task node; anything else is not expected.
    const unexpected = run.stderr
      .split("\n")
      .filter((line) => line.trim() && !line.includes("ParseJSON:"))
      .filter((line) => !/^Warning: XML component '\w+' extends unknown component 'Task'\./.test(line));
    assert.deepEqual(unexpected, []);
  });
});

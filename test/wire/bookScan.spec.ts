// The l2Book fast lane (streams/wire/bookScan.ts) answers only what the general path
// (parseHlWsFrameJson + decodeHlBook) answers: on every real recorded book frame of the S3 archive
// hour, on generated frames with awkward numbers and names, and on those frames mutated a
// character at a time. Whenever the scan answers, the general path decodes the same text to the
// same BookEvent; when it does not, the general path alone decides (decode or a named error).
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { HlScannedBook, decodeHlBook, parseHlWsFrameJson, scanHlBookFrame, type BookEvent, type Decoded } from "../../streams/index.js";

/** The general path on `text`: the BookEvent, or why not. */
function general(text: string): Decoded<BookEvent> {
  const f = parseHlWsFrameJson(text);
  if (!f.ok) return f;
  if (f.value.channel !== "l2Book") return { ok: false, error: new Error("not l2Book") } as Decoded<BookEvent>;
  return decodeHlBook(f.value.data);
}

let scanned = 0;
/** The property: a scan's answer is the general path's. */
function agrees(text: string): void {
  const s = scanHlBookFrame(text);
  if (s === undefined) return;
  scanned++;
  const g = general(text);
  expect(g.ok, `general path refused what the scan read: ${text.slice(0, 120)}`).toBe(true);
  if (g.ok) expect(s.book).toStrictEqual(g.value);
  expect(JSON.stringify(s)).toBe(JSON.stringify((JSON.parse(text) as { data: unknown }).data));
}

const ARCHIVE = path.resolve(process.cwd(), "../shared/data/real/hyperliquid/s3_archive_vigil_hypertrace/market_data_20240101_12_l2Book_BTC.jsonl");

const decimalText = fc.oneof(
  { weight: 120, arbitrary: fc.tuple(fc.nat({ max: 99_999 }), fc.nat({ max: 9_999 }), fc.nat({ max: 4 })).map(([a, b, z]) => `${a}.${"0".repeat(z)}${b}`) },
  { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }).map(String) },
  { weight: 1, arbitrary: fc.stringMatching(/^-?[0-9]{0,18}\.?[0-9]{0,24}$/) },
  { weight: 1, arbitrary: fc.stringMatching(/^[-+.0-9eE]{0,10}$/) },
  { weight: 1, arbitrary: fc.constantFrom("0", "-0", "0.0", "5.", ".5", "-.5", "00012.50", "1e5", "123456789012345", "1234567890123456", "0.0000000000000000000001", "") },
);
const level = fc.record({ px: decimalText, sz: decimalText, n: fc.oneof({ weight: 120, arbitrary: fc.nat({ max: 500 }) }, { weight: 1, arbitrary: fc.constantFrom(-1, 1.5, 1e21, 0) }) });
const frameData = fc.record({
  coin: fc.oneof({ weight: 20, arbitrary: fc.constantFrom("BTC", "ETH", "kPEPE", "xyz:XYZ100", "@107") }, { weight: 1, arbitrary: fc.string({ maxLength: 6 }) }),
  time: fc.oneof({ weight: 30, arbitrary: fc.integer({ min: 0, max: 2 ** 46 }) }, { weight: 1, arbitrary: fc.constantFrom(-5, 1.5, 1e16) }),
  levels: fc.tuple(fc.array(level, { maxLength: 5 }), fc.array(level, { maxLength: 5 })),
});
const frameText = frameData.map((data) => JSON.stringify({ channel: "l2Book", data }));

describe("l2Book scan: answers only what parseHlWsFrame + decodeHlBook answer", () => {
  it.skipIf(!existsSync(ARCHIVE))("reads every real book frame of the S3 archive hour, as the general path does", () => {
    const lines = readFileSync(ARCHIVE, "utf8").split("\n").filter(Boolean);
    scanned = 0;
    for (const line of lines) agrees(JSON.stringify((JSON.parse(line) as { raw: unknown }).raw));
    expect(lines.length).toBe(5587);
    expect(scanned).toBe(lines.length); // the venue's own form: every frame takes the fast lane
  });

  it("on generated frames (awkward decimals, names, counts and times)", () => {
    scanned = 0;
    fc.assert(fc.property(frameText, agrees), { numRuns: 5000 });
    expect(scanned).toBeGreaterThan(1000);
  });

  it("on frames mutated a character at a time (deleted, replaced, inserted)", () => {
    const mutated = fc.tuple(frameText, fc.nat(), fc.constantFrom("delete", "replace", "insert"), fc.constantFrom(..." \"\\,.:-0159eE{}[]nA\u0001\u00e9")).map(([t, k, op, ch]) => {
      const i = k % (t.length + 1);
      return op === "delete" ? t.slice(0, i) + t.slice(i + 1) : op === "replace" ? t.slice(0, i) + ch + t.slice(i + 1) : t.slice(0, i) + ch + t.slice(i);
    });
    scanned = 0;
    fc.assert(fc.property(mutated, agrees), { numRuns: 8000 });
    expect(scanned).toBeGreaterThan(300); // the mutations the scan still reads (a digit for a digit, …) were checked
  });

  it("leaves the general path what it does not read exactly, which then decides", () => {
    const data = { coin: "BTC", time: 1, levels: [[{ px: "100.5", sz: "1", n: 1 }], [{ px: "101", sz: "2", n: 1 }]] };
    const spaced = JSON.stringify({ channel: "l2Book", data }, null, 1);
    expect(scanHlBookFrame(spaced)).toBeUndefined();
    expect(general(spaced).ok).toBe(true);
    const sixteenDigits = JSON.stringify({ channel: "l2Book", data: { ...data, levels: [[{ px: "1234567890.123456", sz: "1", n: 1 }], []] } });
    expect(scanHlBookFrame(sixteenDigits)).toBeUndefined(); // not exactly convertible by the scan
    const g = general(sixteenDigits);
    expect(g.ok && g.value.bids[0]!.px).toBe(1234567890.123456);
    const tooMany = JSON.stringify({ channel: "l2Book", data: { ...data, levels: [Array.from({ length: 1001 }, () => ({ px: "1", sz: "1", n: 1 })), []] } });
    expect(scanHlBookFrame(tooMany)).toBeUndefined();
    expect(general(tooMany).ok).toBe(false);
  });

  it("the client's l2Book channel still shows the wire object to raw consumers", () => {
    const text = JSON.stringify({ channel: "l2Book", data: { coin: "ETH", time: 7, levels: [[{ px: "2000.5", sz: "0.25", n: 3 }], [{ px: "2001", sz: "1", n: 1 }]] } });
    const s = scanHlBookFrame(text)!;
    expect(s).toBeInstanceOf(HlScannedBook);
    expect(s.coin).toBe("ETH");
    expect(s.time).toBe(7);
    expect(s.levels).toStrictEqual([[{ px: "2000.5", sz: "0.25", n: 3 }], [{ px: "2001", sz: "1", n: 1 }]]);
    expect(decodeHlBook(s)).toStrictEqual({ ok: true, value: { asset: "ETH", time: 7, bids: [{ px: 2000.5, sz: 0.25, n: 3 }], asks: [{ px: 2001, sz: 1, n: 1 }] } });
  });
});

import { describe, expect, it } from "@jest/globals";
import { planBatches } from "./batcher.js";

const size = (n: number) => n;

describe("planBatches", () => {
  it.each([
    ["count limit", [1, 1, 1, 1, 1], { maxEvents: 2, maxBytes: 100 }, [[1, 1], [1, 1], [1]]],
    [
      "byte limit",
      [40, 40, 40, 10],
      { maxEvents: 10, maxBytes: 90 },
      [
        [40, 40],
        [40, 10],
      ],
    ],
    ["exact fit", [50, 50], { maxEvents: 10, maxBytes: 100 }, [[50, 50]]],
    ["oversized item alone", [10, 500, 10], { maxEvents: 10, maxBytes: 100 }, [[10], [500], [10]]],
    ["empty input", [], { maxEvents: 10, maxBytes: 100 }, []],
  ])("%s", (_name, items, limits, expected) => {
    expect(planBatches(items as number[], limits, { sizeOf: size })).toEqual(expected);
  });

  it("counts fixed bytes per request", () => {
    expect(planBatches([49, 49], { maxEvents: 10, maxBytes: 100 }, { sizeOf: size, fixedBytes: 3 })).toEqual([
      [49],
      [49],
    ]);
  });

  it("splits when the time span would exceed maxSpanMs", () => {
    const items = [0, 10, 20, 100, 110];
    const batches = planBatches(
      items,
      { maxEvents: 10, maxBytes: 1_000, maxSpanMs: 50 },
      { sizeOf: () => 1, timeOf: (t) => t },
    );
    expect(batches).toEqual([
      [0, 10, 20],
      [100, 110],
    ]);
  });

  it("respects the CloudWatch limits: 10 000 events, 1 048 576 bytes with 26 bytes per event", () => {
    const messages = Array.from({ length: 25_000 }, () => 74);
    const batches = planBatches(
      messages,
      { maxEvents: 10_000, maxBytes: 1_048_576 },
      { sizeOf: (m) => m + 26 },
    );
    expect(batches.map((b) => b.length)).toEqual([10_000, 10_000, 5_000]);
    const big = Array.from({ length: 3_000 }, () => 974);
    const bigBatches = planBatches(
      big,
      { maxEvents: 10_000, maxBytes: 1_048_576 },
      { sizeOf: (m) => m + 26 },
    );
    expect(bigBatches.map((b) => b.length)).toEqual([1_048, 1_048, 904]);
  });
});

import { describe, expect, it } from "@jest/globals";
import { ApiError } from "./api-error.js";
import { WatchPosition } from "./watch-position.js";

const mark = (alertId: string, storedAtMs: number) => ({ alertId, storedAtMs });

describe("WatchPosition", () => {
  it("sends each alert once while re-reading the look-back window", () => {
    const pos = WatchPosition.since(1_000, 100);
    expect(pos.readFromMs).toBe(1_000);
    expect(pos.unsent([mark("a", 1_010), mark("b", 1_020)]).map((m) => m.alertId)).toEqual(["a", "b"]);
    pos.advance(1_050, true);
    // now - lookback (950) is below the start: the position does not move back.
    expect(pos.readFromMs).toBe(1_000);
    // A late writer's alert (stored at 1 015, visible only now) is still found; a and b are not repeated.
    expect(pos.unsent([mark("a", 1_010), mark("c", 1_015), mark("b", 1_020)]).map((m) => m.alertId)).toEqual([
      "c",
    ]);
    pos.advance(1_200, true);
    expect(pos.readFromMs).toBe(1_100);
  });

  it("stops at the last alert read when a read was capped", () => {
    const pos = WatchPosition.since(0, 100);
    pos.unsent([mark("a", 10), mark("b", 20)]);
    pos.advance(10_000, false, 20);
    expect(pos.readFromMs).toBe(20);
  });

  it("resumes from its cursor (at least once) and refuses foreign cursors", () => {
    const pos = WatchPosition.since(5_000, 100);
    pos.advance(9_000, true);
    const resumed = WatchPosition.fromCursor(pos.cursor(), 100);
    expect(resumed.readFromMs).toBe(8_900);
    expect(() => WatchPosition.fromCursor("not-a-cursor", 100)).toThrow(ApiError);
    expect(() =>
      WatchPosition.fromCursor(Buffer.from('{"f":"watch","p":{"low":-5}}').toString("base64url"), 100),
    ).toThrow(ApiError);
  });
});

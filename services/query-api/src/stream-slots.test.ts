import { ApiError } from "@ctwatch/api";
import { describe, expect, it } from "@jest/globals";
import { StreamSlots } from "./stream-slots.js";

describe("StreamSlots", () => {
  it("caps open streams per tenant and gives slots back once", () => {
    const slots = new StreamSlots(2);
    const a1 = slots.acquire("a");
    slots.acquire("a");
    expect(() => slots.acquire("a")).toThrow(ApiError);
    expect(() => slots.acquire("b")).not.toThrow();
    a1();
    a1();
    expect(slots.total).toBe(2);
    expect(() => slots.acquire("a")).not.toThrow();
    expect(() => slots.acquire("a")).toThrow(/at most 2/);
  });
});

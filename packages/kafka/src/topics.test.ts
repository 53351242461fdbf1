import { describe, expect, it } from "@jest/globals";
import type { Admin } from "kafkajs";
import { ensureTopics, type TopicSpec } from "./topics.js";

const spec: TopicSpec = {
  name: "t.ct-entries.v1",
  partitions: 2,
  retentionMs: 1000,
  maxMessageBytes: 1 << 20,
};

/** An admin whose topic exists but whose metadata fails `failures` times first. */
function admin(failures: unknown[]): Admin & { metadataCalls: number } {
  const a = {
    metadataCalls: 0,
    listTopics: async () => [spec.name],
    createTopics: async () => true,
    fetchTopicMetadata: async () => {
      a.metadataCalls++;
      const err = failures.shift();
      if (err) throw err;
      return { topics: [{ name: spec.name, partitions: [{}, {}] }] };
    },
  };
  return a as unknown as Admin & { metadataCalls: number };
}

describe("ensureTopics", () => {
  it("waits while a topic another service just created is not in the metadata yet", async () => {
    const notYet = Object.assign(new Error("This server does not host this topic-partition"), {
      type: "UNKNOWN_TOPIC_OR_PARTITION",
    });
    const a = admin([notYet, notYet]);
    await ensureTopics(a, [spec]);
    expect(a.metadataCalls).toBe(3);
  });

  it("fails at once on other errors, and on too few partitions", async () => {
    const a = admin([new Error("authorization failed")]);
    await expect(ensureTopics(a, [spec])).rejects.toThrow("authorization failed");
    expect(a.metadataCalls).toBe(1);
    await expect(ensureTopics(admin([]), [{ ...spec, partitions: 3 }])).rejects.toThrow(
      /has 2 partitions, configuration expects 3/,
    );
  });
});

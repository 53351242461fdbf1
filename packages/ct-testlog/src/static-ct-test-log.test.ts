import path from "node:path";
import { parseDataTile, verifyRfc6962Checkpoint } from "@ctwatch/ct";
import { describe, expect, it } from "@jest/globals";
import { startStaticCtTestLog } from "./static-ct-test-log.js";

const dir = path.resolve(process.cwd(), "test/fixtures/ct/navigli2025h2");

describe("static-ct test log", () => {
  it("serves a checkpoint that verifies and tiles consistent with its size", async () => {
    const log = await startStaticCtTestLog({ dir, treeSize: 778 });
    try {
      expect(log.maxTreeSize).toBe(1024);
      const cp = verifyRfc6962Checkpoint(
        await (await fetch(`${log.url}/checkpoint`)).text(),
        log.publicKeyDer,
      );
      expect(cp.treeSize).toBe(778);
      // 778 = 3 full tiles + a partial of 10: the full tile 3 is not visible yet.
      expect((await fetch(`${log.url}/tile/data/003`)).status).toBe(404);
      const partial = new Uint8Array(await (await fetch(`${log.url}/tile/data/003.p/10`)).arrayBuffer());
      expect(parseDataTile(partial).map((e) => e.leafIndex)).toEqual([
        768, 769, 770, 771, 772, 773, 774, 775, 776, 777,
      ]);
      log.setTreeSize(1024);
      const r3 = await fetch(`${log.url}/tile/data/003`);
      expect(r3.status).toBe(200);
      expect((await fetch(`${log.url}/tile/data/003.p/10`)).status).toBe(404);
      log.inject({ pathPrefix: "/checkpoint", count: 1, status: 429, retryAfter: "1" });
      const throttled = await fetch(`${log.url}/checkpoint`);
      expect(throttled.status).toBe(429);
      expect(throttled.headers.get("retry-after")).toBe("1");
      expect((await fetch(`${log.url}/tile/../../package.json`)).status).toBe(404);
    } finally {
      await log.stop();
    }
  });
});

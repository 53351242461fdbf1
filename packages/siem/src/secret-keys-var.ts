import { readFileSync } from "node:fs";
import type { VarSpec } from "@ctwatch/runtime";
import { parseKeyMaterial, SecretBox } from "./secret-box.js";

/**
 * The config variable holding the keys that seal stored SIEM credentials
 * (`CTWATCH_SECRET_KEYS` of alert-sink and query-api, which must agree):
 * `id:key[,id:key...]` (key = 64 hex digits or base64 of 32 bytes), or
 * `@/path/to/file` holding that text. The first key seals new secrets; the others
 * still open what they sealed (rotation: put the new key first). Marked secret,
 * so a bad value is reported without its text.
 */
export const secretKeysVar: VarSpec<SecretBox> = {
  doc: "AES-256-GCM keys for stored SIEM credentials: id:key[,id:key] (first seals) or @/path/to/file; alert-sink and query-api share them",
  secret: true,
  parse(raw) {
    const text = raw.startsWith("@") ? readFileSync(raw.slice(1), "utf8").trim() : raw;
    const keys = new Map<string, Uint8Array>();
    let current: string | undefined;
    for (const part of text
      .split(/[,\n]/)
      .map((p) => p.trim())
      .filter(Boolean)) {
      const i = part.indexOf(":");
      if (i <= 0) throw new Error("expected id:key pairs");
      const id = part.slice(0, i);
      keys.set(id, parseKeyMaterial(part.slice(i + 1)));
      current ??= id;
    }
    if (!current) throw new Error("expected at least one id:key pair");
    return new SecretBox({ currentKeyId: current, keys });
  },
};

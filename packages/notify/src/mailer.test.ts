import { describe, expect, it } from "@jest/globals";
import { isEmailAddress, MAX_RECIPIENTS, validateMessage } from "./mailer.js";
import { describeSmtpUrl, parseSmtpUrl, SmtpMailer } from "./smtp-mailer.js";

describe("validateMessage", () => {
  it("keeps the subject on one line and bounded", () => {
    const m = validateMessage({
      to: ["a@example.com"],
      subject: `x\r\nBcc: evil@example.com${"y".repeat(300)}`,
      text: "",
    });
    expect(m.subject).not.toMatch(/[\r\n]/);
    expect(m.subject.length).toBe(200);
  });

  it.each([
    [[], "no recipients"],
    [["not an address"], "invalid recipient"],
    [["Eve <eve@example.com>"], "invalid recipient"],
    [Array.from({ length: MAX_RECIPIENTS + 1 }, (_, i) => `a${i}@example.com`), "more than"],
  ])("refuses %j", (to, message) => {
    expect(() => validateMessage({ to, subject: "s", text: "t" })).toThrow(message);
  });

  it("accepts plain addresses only", () => {
    expect(isEmailAddress("soc-admin+ct@sub.example.co.uk")).toBe(true);
    expect(isEmailAddress("a@b")).toBe(false);
    expect(isEmailAddress("a b@example.com")).toBe(false);
  });
});

describe("parseSmtpUrl", () => {
  it.each([
    ["smtp://mail.example.com", { host: "mail.example.com", port: 587, secure: false }],
    ["smtps://mail.example.com", { host: "mail.example.com", port: 465, secure: true }],
    [
      "smtp://ctwatch%40example.com:p%40ss@127.0.0.1:2525",
      { host: "127.0.0.1", port: 2525, secure: false, user: "ctwatch@example.com", password: "p@ss" },
    ],
  ])("%s", (url, want) => {
    expect(parseSmtpUrl(url)).toEqual(want);
  });

  it.each(["http://mail.example.com", "smtp://", "smtp://h/path", "nonsense"])("refuses %s", (url) => {
    expect(() => parseSmtpUrl(url)).toThrow();
  });

  it("describes a URL without its password, and errors never contain it", () => {
    expect(describeSmtpUrl("smtp://user:hunter2@mail.example.com:25")).toBe(
      "smtp://user:<redacted>@mail.example.com:25",
    );
    expect(() => parseSmtpUrl("ftp://user:hunter2@x")).toThrow(/^(?!.*hunter2)/);
  });

  it("reports an unreachable server as unavailable, without credentials", async () => {
    const mailer = new SmtpMailer({
      url: "smtp://user:hunter2@127.0.0.1:1",
      from: "ctwatch@example.com",
      timeoutMs: 2000,
    });
    const err = await mailer
      .send({ to: ["a@example.com"], subject: "s", text: "t" }, new AbortController().signal)
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ name: "MailError", code: "unavailable" });
    expect(String((err as Error).message)).not.toContain("hunter2");
    await mailer.stop();
  });
});

import { expectedSharedKeySignature, verifySigV4 } from "@ctwatch/siem-testkit";
import { describe, expect, it } from "@jest/globals";
import { Secret } from "./secret-box.js";
import { dataCollectorAuthorization, dataCollectorStringToSign, rfc1123 } from "./shared-key.js";
import { signSigV4, toAmzDate } from "./sigv4.js";

describe("SigV4", () => {
  // The worked example of AWS's "Signature Version 4 signing process" documentation:
  // IAM ListUsers, GET https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08.
  const credentials = {
    accessKeyId: "AKIDEXAMPLE",
    secretAccessKey: new Secret("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
  };
  const request = {
    method: "GET",
    url: new URL("https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08"),
    headers: { "Content-Type": "application/x-www-form-urlencoded; charset=utf-8" },
    body: "",
  };
  const scope = { region: "us-east-1", service: "iam", date: new Date(Date.UTC(2015, 7, 30, 12, 36, 0)) };

  it("reproduces AWS's documented example signature", () => {
    expect(signSigV4(request, credentials, scope)).toEqual({
      "x-amz-date": "20150830T123600Z",
      authorization:
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
    });
  });

  it("is accepted by the testkit's independent verifier, which rejects a changed body", () => {
    const url = new URL("https://logs.eu-west-1.amazonaws.com/");
    const headers = {
      "content-type": "application/x-amz-json-1.1",
      "x-amz-target": "Logs_20140328.PutLogEvents",
    };
    const body = '{"logGroupName":"g","logStreamName":"s","logEvents":[]}';
    const date = new Date(Date.UTC(2026, 0, 2, 3, 4, 5));
    const token = new Secret("session-token-value");
    const signed = signSigV4(
      { method: "POST", url, headers, body },
      { ...credentials, sessionToken: token },
      {
        region: "eu-west-1",
        service: "logs",
        date,
      },
    );
    expect(signed["x-amz-security-token"]).toBe("session-token-value");
    const received = { method: "POST", url: "/", headers: { ...headers, ...signed, host: url.host }, body };
    const options = { service: "logs", region: "eu-west-1", nowMs: date.getTime() };
    const secrets = { AKIDEXAMPLE: credentials.secretAccessKey.reveal() };
    expect(verifySigV4(received, secrets, options)).toBeUndefined();
    expect(verifySigV4({ ...received, body: `${body} ` }, secrets, options)).toMatchObject({
      type: "InvalidSignatureException",
    });
    expect(verifySigV4(received, {}, options)).toMatchObject({ type: "UnrecognizedClientException" });
    expect(verifySigV4(received, secrets, { ...options, nowMs: date.getTime() + 16 * 60_000 })).toMatchObject(
      {
        type: "InvalidSignatureException",
      },
    );
  });

  it("matches botocore's SigV4Auth for a PutLogEvents request with a session token", () => {
    // Vector produced with botocore 1.44.5 (SigV4Auth, service logs, eu-west-1, 20260102T030405Z).
    const body =
      '{"logGroupName":"/ctwatch/alerts","logStreamName":"soc","logEvents":[{"timestamp":1767323045000,"message":"{\\"source\\":\\"EZMonitor\\"}"}]}';
    const signed = signSigV4(
      {
        method: "POST",
        url: new URL("https://logs.eu-west-1.amazonaws.com/"),
        headers: {
          "content-type": "application/x-amz-json-1.1",
          "x-amz-target": "Logs_20140328.PutLogEvents",
        },
        body,
      },
      { ...credentials, sessionToken: new Secret("sess-token") },
      { region: "eu-west-1", service: "logs", date: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)) },
    );
    expect(signed.authorization).toBe(
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260102/eu-west-1/logs/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, Signature=03561126b3ac89d2c4d8bddf3a4674d005c8c5c800b9bba647f1d7c1f7ffa2b3",
    );
  });

  it("formats x-amz-date", () => {
    expect(toAmzDate(new Date(Date.UTC(2026, 11, 31, 23, 59, 58, 999)))).toBe("20261231T235958Z");
  });
});

describe("Data Collector SharedKey", () => {
  // The documentation's example string to sign: POST, 1024 bytes, Mon, 04 Apr 2016 08:00:00 GMT.
  const date = "Mon, 04 Apr 2016 08:00:00 GMT";
  const key = new Secret("Y3R3YXRjaC10ZXN0LXdvcmtzcGFjZS1rZXktMDAxISE=");

  it("builds the documented string to sign", () => {
    expect(dataCollectorStringToSign(1024, date)).toBe(
      "POST\n1024\napplication/json\nx-ms-date:Mon, 04 Apr 2016 08:00:00 GMT\n/api/logs",
    );
    expect(rfc1123(new Date(Date.UTC(2016, 3, 4, 8)))).toBe(date);
  });

  it("signs it as the documentation's Python sample does", () => {
    // Expected value computed with Python's hmac/base64 following the documented sample.
    expect(dataCollectorAuthorization("ws-id", key, 1024, date)).toBe(
      "SharedKey ws-id:JLIqYFsu0ifQ/8tIzTbQpRerKL5jM88wxO4VUu/7ilY=",
    );
    expect(expectedSharedKeySignature(key.reveal(), 1024, date)).toBe(
      "JLIqYFsu0ifQ/8tIzTbQpRerKL5jM88wxO4VUu/7ilY=",
    );
  });
});

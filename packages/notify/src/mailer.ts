/** One plain-text email. */
export interface EmailMessage {
  /** Recipients (envelope and `To:`), 1 to {@link MAX_RECIPIENTS} addresses. */
  readonly to: readonly string[];
  /** One line; CR/LF are replaced by spaces, longer than {@link MAX_SUBJECT_CHARS} is cut. */
  readonly subject: string;
  /** Plain text, at most {@link MAX_BODY_CHARS} characters. */
  readonly text: string;
}

/** Most recipients of one message. */
export const MAX_RECIPIENTS = 50;
/** Longest subject, characters. */
export const MAX_SUBJECT_CHARS = 200;
/** Longest body, characters. */
export const MAX_BODY_CHARS = 64 * 1024;

/**
 * Sends email. `send` resolves when the server accepted the message for every
 * recipient, and rejects with {@link MailError} otherwise. At most once: a caller
 * that wants a retry calls again.
 */
export interface Mailer {
  send(message: EmailMessage, signal: AbortSignal): Promise<void>;
}

/** Why an email was not sent. `message` never contains SMTP credentials. */
export class MailError extends Error {
  override readonly name = "MailError";
  /** SMTP reply code when the server answered (e.g. 550), else undefined. */
  readonly responseCode: number | undefined;
  /** "invalid-message" (refused before sending), "rejected" (server said no), "unavailable" (connection, timeout). */
  readonly code: "invalid-message" | "rejected" | "unavailable";

  constructor(message: string, code: MailError["code"], responseCode?: number, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.code = code;
    this.responseCode = responseCode;
  }
}

// Deliberately simple: one @, no spaces or angle brackets, a dot in the domain.
const ADDRESS = /^[^\s@<>",;]{1,64}@[^\s@<>",;]{1,253}\.[^\s@<>",;]{1,63}$/;

/** True for a plain `local@domain.tld` address (no display name). */
export function isEmailAddress(value: string): boolean {
  return value.length <= 254 && ADDRESS.test(value);
}

/** Checks bounds and addresses; returns the message with a single-line, bounded subject. */
export function validateMessage(message: EmailMessage): EmailMessage {
  if (message.to.length === 0) throw new MailError("no recipients", "invalid-message");
  if (message.to.length > MAX_RECIPIENTS)
    throw new MailError(`more than ${MAX_RECIPIENTS} recipients`, "invalid-message");
  for (const to of message.to) {
    if (!isEmailAddress(to)) throw new MailError("invalid recipient address", "invalid-message");
  }
  if (message.text.length > MAX_BODY_CHARS)
    throw new MailError(`body longer than ${MAX_BODY_CHARS} characters`, "invalid-message");
  return {
    to: message.to,
    subject: message.subject.replace(/[\r\n]+/g, " ").slice(0, MAX_SUBJECT_CHARS),
    text: message.text,
  };
}

/** A mailer that keeps messages in memory (tests, the demo). Bounded to the last `max` messages. */
export class MemoryMailer implements Mailer {
  readonly sent: EmailMessage[] = [];
  /** When set, `send` rejects with it (to test failure handling). */
  failWith: MailError | undefined;

  constructor(private readonly max = 1000) {}

  async send(message: EmailMessage, signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    const valid = validateMessage(message);
    if (this.failWith) throw this.failWith;
    this.sent.push(valid);
    if (this.sent.length > this.max) this.sent.shift();
  }
}

import type { Stoppable } from "@ctwatch/runtime";
import { createTransport, type Transporter } from "nodemailer";
import { type EmailMessage, isEmailAddress, MailError, type Mailer, validateMessage } from "./mailer.js";

/** Settings of {@link SmtpMailer}. */
export interface SmtpMailerOptions {
  /**
   * `smtp://[user:password@]host[:port]` (STARTTLS when the server offers it; port 587
   * by default) or `smtps://…` (implicit TLS, port 465). The password is percent-decoded.
   */
  readonly url: string;
  /** Sender address (`From:` and envelope). */
  readonly from: string;
  /** Connection, greeting and socket idle timeout, ms. Default 15 000. */
  readonly timeoutMs?: number;
  /** Refuse to send unless STARTTLS succeeds (smtp:// only). Default false. */
  readonly requireTls?: boolean;
}

/** The parts of an SMTP URL, credentials separated. */
export interface SmtpEndpoint {
  readonly host: string;
  readonly port: number;
  readonly secure: boolean;
  readonly user?: string;
  readonly password?: string;
}

/** Parses an `smtp://` / `smtps://` URL; throws Error (without the password) when invalid. */
export function parseSmtpUrl(url: string): SmtpEndpoint {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error("expected smtp://[user:password@]host[:port] or smtps://…");
  }
  if (u.protocol !== "smtp:" && u.protocol !== "smtps:")
    throw new Error(`unsupported scheme ${u.protocol} (expected smtp: or smtps:)`);
  if (!u.hostname) throw new Error("missing host");
  if ((u.pathname && u.pathname !== "/") || u.search || u.hash)
    throw new Error("an SMTP URL has no path, query or fragment");
  const secure = u.protocol === "smtps:";
  return {
    host: u.hostname.replace(/^\[|\]$/g, ""),
    port: u.port ? Number(u.port) : secure ? 465 : 587,
    secure,
    ...(u.username ? { user: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
  };
}

/** The URL with any password replaced, for logs. */
export function describeSmtpUrl(url: string): string {
  const e = parseSmtpUrl(url);
  const auth = e.user ? `${encodeURIComponent(e.user)}:<redacted>@` : "";
  return `${e.secure ? "smtps" : "smtp"}://${auth}${e.host}:${e.port}`;
}

/**
 * Sends plain-text email over SMTP (nodemailer), one connection per message: the
 * volume is a few messages per incident, so no pool to keep healthy. Rejects with
 * {@link MailError}; SMTP credentials never appear in its messages.
 */
export class SmtpMailer implements Mailer, Stoppable {
  readonly name = "smtp-mailer";
  readonly #transport: Transporter;
  readonly #from: string;

  constructor(options: SmtpMailerOptions) {
    if (!isEmailAddress(options.from)) throw new Error("invalid sender address");
    const e = parseSmtpUrl(options.url);
    const timeoutMs = options.timeoutMs ?? 15_000;
    this.#from = options.from;
    this.#transport = createTransport({
      host: e.host,
      port: e.port,
      secure: e.secure,
      requireTLS: options.requireTls ?? false,
      ...(e.user ? { auth: { user: e.user, pass: e.password ?? "" } } : {}),
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
      disableFileAccess: true,
      disableUrlAccess: true,
    });
  }

  async send(message: EmailMessage, signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    const valid = validateMessage(message);
    try {
      const info = await this.#transport.sendMail({
        from: this.#from,
        to: [...valid.to],
        subject: valid.subject,
        text: valid.text,
      });
      const rejected = (info.rejected ?? []).length;
      if (rejected > 0) throw new MailError(`server refused ${rejected} recipient(s)`, "rejected");
    } catch (err) {
      if (err instanceof MailError) throw err;
      throw toMailError(err);
    }
  }

  async stop(): Promise<void> {
    this.#transport.close();
  }
}

function toMailError(err: unknown): MailError {
  const e = err as { code?: unknown; responseCode?: unknown; command?: unknown };
  const responseCode = typeof e.responseCode === "number" ? e.responseCode : undefined;
  const code = typeof e.code === "string" ? e.code : "unknown";
  const command = typeof e.command === "string" ? ` during ${e.command.split(" ")[0]}` : "";
  // nodemailer's messages can quote the server's reply to AUTH; keep only the code.
  if (responseCode !== undefined) {
    return new MailError(
      `SMTP server answered ${responseCode} (${code})${command}`,
      "rejected",
      responseCode,
    );
  }
  return new MailError(`SMTP server unavailable (${code})${command}`, "unavailable");
}

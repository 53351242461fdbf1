/**
 * @ctwatch/notify: email to tenants' administrators.
 *
 *   Deliverer outcome ==> IncidentNotifier.report ==> IncidentLedger (open / recover, claim)
 *                                                ==> AdminDirectory ==> Mailer (SMTP)
 */
export { failingEmail, type IncidentEmailFacts, PRODUCT, recoveredEmail } from "./incident-email.js";
export {
  type AdminDirectory,
  type DeliveryIncident,
  type DestinationHealth,
  type IncidentLedger,
  IncidentNotifier,
  type IncidentNotifierOptions,
  type NewIncident,
} from "./incident-notifier.js";
export {
  type EmailMessage,
  isEmailAddress,
  MAX_BODY_CHARS,
  MAX_RECIPIENTS,
  MAX_SUBJECT_CHARS,
  MailError,
  type Mailer,
  MemoryMailer,
  validateMessage,
} from "./mailer.js";
export {
  describeSmtpUrl,
  parseSmtpUrl,
  type SmtpEndpoint,
  SmtpMailer,
  type SmtpMailerOptions,
} from "./smtp-mailer.js";

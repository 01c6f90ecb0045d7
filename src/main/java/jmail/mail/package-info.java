/**
 * Small value types shared by every stage: {@link jmail.mail.Dsn} (enhanced status + reason),
 * {@link jmail.mail.Outcome} (sent, deferred, bounced), {@link jmail.mail.Sysexits}, and the
 * Postfix-format {@link jmail.mail.MailLog}.
 */
package jmail.mail;

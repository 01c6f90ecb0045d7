/**
 * Stage 3, delivery: the scheduler (Postfix's qmgr), the SMTP client to the relayhost or the MX hosts
 * (Angus SMTPTransport with the stored bytes sent as they are), backoff, and bounces.
 *
 * <p>SECURITY: talks to remote servers whose replies are untrusted text; credentials go only to the
 * relay they are configured for, and only over TLS unless the config explicitly allows otherwise.
 *
 * <p>Failure: every attempt ends in an {@link jmail.mail.Outcome} per recipient, recorded in the queue
 * with its {@link jmail.mail.Dsn}; nothing is retried without backoff and nothing is dropped silently.
 */
package jmail.delivery;

/**
 * Stage 1, submission: everything that brings a message into the queue. The sendmail front end's
 * message cleanup (java.base only, for a fast start), its SMTP client to the listener, the maildrop
 * directory for when the daemon is down, the pickup that imports it, and the loopback SMTP listener.
 *
 * <p>SECURITY: all input here is untrusted (local users, loopback clients). The listener binds only
 * {@code smtpd_listen}, serves only {@code mynetworks}, drains DATA before rejecting, enforces the size
 * limit and refuses bare CR/LF (no SMTP smuggling).
 *
 * <p>Failure: a message is acknowledged only after the queue made it durable; otherwise the client
 * gets a 4xx/5xx reply (listener) or a sysexits code (shim).
 */
package jmail.submit;

/**
 * Operator access to the queue: the commands behind {@code jmailq} and {@code jmailctl}, run in the
 * daemon through a unix control socket or directly on the queue when the daemon is down.
 *
 * <p>SECURITY: listing and flushing are open to local users (as with Postfix's mailq); changing the
 * queue or reading message content needs root or the daemon's user, checked with SO_PEERCRED.
 */
package jmail.control;

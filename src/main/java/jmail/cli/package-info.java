/**
 * The programs: {@code sendmail} (front end), {@code jmaild} (daemon), {@code jmailq} and {@code jmailctl}
 * (operator tools). Each main parses its arguments, loads main.conf and hands over to one stage.
 *
 * <p>SECURITY: arguments and standard input come from any local user; they are parsed by
 * {@link jmail.submit.SendmailArgs} and {@link jmail.submit.MessageCleanup}, never executed.
 *
 * <p>Failure: every program exits with a sysexits code and one line on stderr; no stack traces.
 */
package jmail.cli;

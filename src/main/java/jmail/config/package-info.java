/**
 * main.conf (HOCON, Postfix key names) and the lookup tables it names: the relay password map and
 * the alias map. Validated once at start; a mistake is one {@link jmail.config.ConfigError} line that
 * names the file, the line and the fix, and the daemon exits 78.
 *
 * <p>SECURITY: the password map must not be readable by others; credentials never appear in messages.
 */
package jmail.config;

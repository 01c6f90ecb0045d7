package jmail.config;

/** A mistake in main.conf or a map it names: one line that names the file, the line and the fix. */
public final class ConfigError extends Exception {
    private static final long serialVersionUID = 1L;

    public ConfigError(String message) {
        super(message);
    }
}

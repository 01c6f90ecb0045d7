package jmail.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code smtp_sasl_password_maps}: relay credentials, looked up as Postfix does (the relayhost exactly as
 * written, then the bare host name).
 *
 * <p>SECURITY: refuses a file that its group or others can read or write (Postfix does not check; a
 * relay password is the key to a real mailbox, so jmail does); passwords never appear in any message,
 * log line or {@code toString()}.
 */
public final class PasswordMap {
    /** A user name and a password; {@link #toString()} never shows the password. */
    public record Credentials(String user, String password) {
        @Override
        public String toString() {
            return "Credentials[user=" + user + ", password=<hidden>]";
        }
    }

    private final Path file;
    private final Map<String, String> entries;

    private PasswordMap(Path file, Map<String, String> entries) {
        this.file = file;
        this.entries = entries;
    }

    public static PasswordMap empty() {
        return new PasswordMap(null, Map.of());
    }

    public static PasswordMap load(String mapSpec) throws ConfigError {
        if (mapSpec == null || mapSpec.isBlank()) {
            return empty();
        }
        Path file = PostmapFile.path(mapSpec);
        if (!Files.isRegularFile(file)) {
            throw new ConfigError(file + ": no such password map (smtp_sasl_password_maps)");
        }
        checkPrivate(file);
        try {
            return new PasswordMap(file, PostmapFile.read(file, ""));
        } catch (IOException e) {
            throw new ConfigError(file + ": cannot read the password map: " + e.getMessage());
        }
    }

    /** Throws when others may read or write the file: a relay password is the key to a real mailbox. */
    public static void checkPrivate(Path file) throws ConfigError {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            if (perms.contains(PosixFilePermission.OTHERS_READ) || perms.contains(PosixFilePermission.OTHERS_WRITE)
                    || perms.contains(PosixFilePermission.GROUP_READ) || perms.contains(PosixFilePermission.GROUP_WRITE)) {
                throw new ConfigError(file + ": the password map is readable or writable by others; run: chmod 600 " + file);
            }
        } catch (UnsupportedOperationException | IOException e) {
            throw new ConfigError(file + ": cannot check the password map's permissions: " + e.getMessage());
        }
    }

    public Path file() {
        return file;
    }

    /** Credentials for a next hop: first the key exactly as written, then the bare host name. */
    public Optional<Credentials> lookup(HostPort nextHop) {
        String value = entries.get(nextHop.asWritten());
        if (value == null) {
            value = entries.get(nextHop.host());
        }
        if (value == null) {
            return Optional.empty();
        }
        int colon = value.indexOf(':');
        return colon < 0 ? Optional.of(new Credentials(value, ""))
                : Optional.of(new Credentials(value.substring(0, colon), value.substring(colon + 1)));
    }

    /** The keys present, for diagnostics (never the values). */
    public Set<String> keys() {
        return entries.keySet();
    }
}

package jmail.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** This host's name from the kernel, without a DNS lookup (a null client must start with DNS down). */
final class Hostname {
    private Hostname() {
    }

    static String local() {
        String name = null;
        try {
            name = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        } catch (IOException | RuntimeException e) {
            name = System.getenv("HOSTNAME");
        }
        if (name == null || name.isEmpty()) {
            name = "localhost";
        }
        return name.contains(".") ? name : name + ".localdomain";
    }
}

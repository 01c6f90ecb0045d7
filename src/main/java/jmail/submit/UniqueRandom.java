package jmail.submit;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * Randomness for names that must be unique, not secret (Message-IDs, maildrop file names): seeded
 * once from /dev/urandom, mixed with the pid and the clock. {@code new SecureRandom()} costs the
 * shim about 70 ms of provider start-up, most of its own run time.
 */
final class UniqueRandom {
    private UniqueRandom() {
    }

    static RandomGenerator create() {
        long seed = System.nanoTime() * 0x9E3779B97F4A7C15L ^ ProcessHandle.current().pid() << 32 ^ System.currentTimeMillis();
        try (InputStream in = Files.newInputStream(Path.of("/dev/urandom"))) {
            byte[] b = in.readNBytes(8);
            for (byte x : b) {
                seed = seed << 8 ^ seed >>> 56 ^ (x & 0xff);
            }
        } catch (IOException | UnsupportedOperationException e) {
            // no /dev/urandom: the pid and the clock keep names unique on this host
        }
        return new SplittableRandom(seed);
    }
}

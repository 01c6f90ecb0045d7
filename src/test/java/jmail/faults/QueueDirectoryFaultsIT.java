package jmail.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import jmail.testing.JmailHarness;
import jmail.testing.ScriptedRelay;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A queue the daemon cannot have: its H2 file locked by a running jmaild, or a directory it cannot
 * write. Either way jmaild exits 75 (try again later) with a sentence that says why, and the daemon
 * that owns the queue keeps serving.
 */
class QueueDirectoryFaultsIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    @Test
    void secondDaemonOnTheSameQueueExits75() throws Exception {
        try (ScriptedRelay relay = ScriptedRelay.start();
             JmailHarness first = new JmailHarness(Files.createDirectories(tmp.resolve("first"))).relay(relay.port()).start()) {
            JmailHarness second = new JmailHarness(Files.createDirectories(tmp.resolve("second")))
                    .set("queue_directory", "\"" + first.queueDirectory() + "\"");
            JmailHarness.Run run = second.jmaildOnce("-C", second.conf().toString());
            assertEquals(75, run.exit(), run.all());
            assertEquals("jmaild: fatal: the queue database in " + first.queueDirectory()
                    + " is in use by another process (is jmaild already running?)\n", run.err());

            assertEquals(0, first.sendmail("Subject: still here\n\nok\n", "user@example.net").exit());
            relay.awaitMessages(1, WAIT);
        }
    }

    @Test
    void unwritableQueueDirectoryExits75WithTheReason() throws Exception {
        Path queue = Files.createDirectories(tmp.resolve("ro"));
        boolean root = "root".equals(System.getProperty("user.name"));
        if (root) {
            Assumptions.assumeTrue(DiskFullIT.mount(queue, "tmpfs", "ro,size=1m"),
                    "skipped: running as root and mount is not permitted, so no directory is unwritable for us");
        } else {
            Files.setPosixFilePermissions(queue, java.nio.file.attribute.PosixFilePermissions.fromString("r-xr-xr-x"));
        }
        try {
            JmailHarness h = new JmailHarness(Files.createDirectories(tmp.resolve("h")))
                    .set("queue_directory", "\"" + queue + "\"");
            JmailHarness.Run run = h.jmaildOnce("-C", h.conf().toString());
            assertEquals(75, run.exit(), run.all());
            assertTrue(run.err().startsWith("jmaild: fatal: cannot create the queue directory " + queue + ": "), run.err());
            assertTrue(run.err().contains(queue.resolve("db").toString()), run.err());
        } finally {
            if (root) {
                DiskFullIT.unmount(queue);
            }
        }
    }
}

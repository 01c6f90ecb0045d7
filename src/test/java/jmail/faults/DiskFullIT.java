package jmail.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import jmail.testing.JmailHarness;
import jmail.testing.ScriptedRelay;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The queue's file system fills up: the listener answers 452 4.3.1, the shim exits 75, what was
 * queued before stays intact and is delivered, and new mail is taken again once there is space.
 * The queue lives on a small tmpfs mounted by the test (root only; skipped where mount is refused).
 */
class DiskFullIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    @Test
    void fullDiskRefusesWith452AndRecovers() throws Exception {
        Path mnt = Files.createDirectories(tmp.resolve("queue-fs"));
        Assumptions.assumeTrue(mount(mnt, "tmpfs", "size=24m"),
                "skipped: mounting a small tmpfs needs root (mount -t tmpfs was refused here)");
        int relayPort = JmailHarness.freePort();
        try (JmailHarness h = new JmailHarness(Files.createDirectories(tmp.resolve("h")))) {
            h.set("queue_directory", "\"" + mnt.resolve("spool") + "\"").relay(relayPort).start();
            Map<String, String> queued = new TreeMap<>();
            String body = "x".repeat(900) + "\r\n";
            try (SmtpSession smtp = new SmtpSession(h.port())) {
                for (int i = 0; i < 5; i++) {
                    String tag = "before-full-" + i;
                    String m = SmtpSession.tagged(tag, 0) + body.repeat(100);
                    assertEquals(250, smtp.send("load@example.com", "user@example.net", m));
                    queued.put(tag, m);
                }
            }
            Path filler = mnt.resolve("filler");
            fill(filler);

            int refusal;
            try (SmtpSession smtp = new SmtpSession(h.port())) {
                refusal = smtp.send("load@example.com", "user@example.net", SmtpSession.tagged("while-full", 0) + body.repeat(200));
            }
            assertEquals(452, refusal);
            assertTrue(h.logText().contains("4.3.1") || h.logText().contains("No space left"), h.logText());
            JmailHarness.Run shim = h.sendmail("Subject: while full\n\n" + "y".repeat(200_000) + "\n", "user@example.net");
            assertEquals(75, shim.exit(), shim.all());

            Files.delete(filler);
            try (SmtpSession smtp = new SmtpSession(h.port())) {
                String m = SmtpSession.tagged("after-free", 0) + body;
                assertEquals(250, smtp.send("load@example.com", "user@example.net", m), h.logText());
                queued.put("after-free", m);
            }

            try (ScriptedRelay relay = ScriptedRelay.builder().port(relayPort).start()) {
                h.jmailctl("flush");
                h.await(WAIT, () -> new HashSet<>(CrashIT.tags(relay.messages())).containsAll(queued.keySet()), "the queued mail at the relay");
                List<String> tags = new ArrayList<>();
                for (ScriptedRelay.Received r : relay.messages()) {
                    String tag = SmtpSession.tagOf(r.contentAsString());
                    tags.add(tag);
                    if (queued.containsKey(tag)) {
                        assertEquals(queued.get(tag), r.contentAsString(), "body of " + tag + " intact");
                    }
                }
                assertEquals(queued.size(), tags.size(), tags.toString());
            }
        } finally {
            unmount(mnt);
        }
    }

    private static void fill(Path filler) throws IOException {
        byte[] block = new byte[65536];
        try (OutputStream out = Files.newOutputStream(filler)) {
            while (true) {
                out.write(block);
            }
        } catch (IOException e) {
            if (!String.valueOf(e.getMessage()).contains("No space left")) {
                throw e;
            }
        }
    }

    /** Mounts a file system on {@code dir}; false when this process may not mount. */
    static boolean mount(Path dir, String type, String options) throws IOException, InterruptedException {
        return run("mount", "-t", type, "-o", options, type, dir.toString()) == 0;
    }

    static void unmount(Path dir) throws IOException, InterruptedException {
        run("umount", "-l", dir.toString());
    }

    private static int run(String... cmd) throws IOException, InterruptedException {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getInputStream().transferTo(OutputStream.nullOutputStream());
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return -1;
            }
            return p.exitValue();
        } catch (IOException e) {
            return -1;
        }
    }
}

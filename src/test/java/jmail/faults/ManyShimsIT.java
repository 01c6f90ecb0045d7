package jmail.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import jmail.testing.JmailHarness;
import jmail.testing.ScriptedRelay;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** 50 bin/sendmail processes at once: every one exits 0 and every message is delivered once. */
class ManyShimsIT {
    private static final int SHIMS = 50;

    @TempDir
    Path tmp;

    @Test
    void fiftyConcurrentShimsAllExit0AndAllAreDelivered() throws Exception {
        try (ScriptedRelay relay = ScriptedRelay.start();
             JmailHarness h = new JmailHarness(tmp).relay(relay.port()).start()) {
            ExecutorService pool = Executors.newFixedThreadPool(SHIMS);
            List<Future<JmailHarness.Run>> runs = new ArrayList<>();
            TreeSet<String> expected = new TreeSet<>();
            for (int i = 0; i < SHIMS; i++) {
                String tag = "shim-" + i;
                expected.add(tag);
                runs.add(pool.submit(() -> h.sendmail("Subject: " + tag + "\n\nfrom shim " + tag + "\n", "user@example.net")));
            }
            for (Future<JmailHarness.Run> f : runs) {
                JmailHarness.Run r = f.get();
                assertEquals(0, r.exit(), r.all());
            }
            pool.shutdown();
            relay.awaitMessages(SHIMS, Duration.ofSeconds(60));
            h.awaitEmptyQueue(Duration.ofSeconds(60));
            assertEquals(expected, new TreeSet<>(CrashIT.tags(relay.messages())));
            assertEquals(SHIMS, relay.messages().size());
        }
    }
}

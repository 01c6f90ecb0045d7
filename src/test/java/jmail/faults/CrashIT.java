package jmail.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import jmail.testing.JmailHarness;
import jmail.testing.ScriptedRelay;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 while mail streams in and out: every message that got a 250 is delivered after the restart,
 * and only a message whose delivery the relay had already acknowledged may arrive twice.
 */
class CrashIT {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final int SESSIONS = 10;
    private static final int PER_SESSION = 100;

    @TempDir
    Path tmp;

    @Test
    void everyAcceptedMessageIsDeliveredAfterKill9() throws Exception {
        long seed = Long.getLong("crash.seed", System.nanoTime());
        Random random = new Random(seed);
        int killAfterAccepted = 100 + random.nextInt(SESSIONS * PER_SESSION - 200);
        System.out.println("CrashIT: seed " + seed + ", kill -9 after " + killAfterAccepted + " accepted");
        try (ScriptedRelay relay = ScriptedRelay.start();
             JmailHarness h = new JmailHarness(tmp).relay(relay.port()).start()) {
            Set<String> accepted = ConcurrentHashMap.newKeySet();
            ExecutorService load = Executors.newFixedThreadPool(SESSIONS);
            for (int s = 0; s < SESSIONS; s++) {
                int session = s;
                load.submit(() -> stream(h.port(), session, accepted));
            }
            h.await(WAIT, () -> accepted.size() >= killAfterAccepted, killAfterAccepted + " messages accepted");
            h.kill9();
            load.shutdown();
            assertTrue(load.awaitTermination(60, TimeUnit.SECONDS), "the load stopped after the kill");
            Thread.sleep(500);
            Set<String> deliveredBeforeKill = new HashSet<>(tags(relay.messages()));
            System.out.println("CrashIT: " + accepted.size() + " accepted before the kill, "
                    + deliveredBeforeKill.size() + " of them already delivered");

            h.start();
            h.await(WAIT, () -> tags(relay.messages()).containsAll(accepted), "every accepted message at the relay");
            h.awaitEmptyQueue(WAIT);

            Map<String, Integer> copies = new HashMap<>();
            for (String tag : tags(relay.messages())) {
                copies.merge(tag, 1, Integer::sum);
            }
            List<String> atLeastOnce = new ArrayList<>();
            List<String> wrongDuplicates = new ArrayList<>();
            copies.forEach((tag, n) -> {
                if (n > 1) {
                    (deliveredBeforeKill.contains(tag) ? atLeastOnce : wrongDuplicates).add(tag + " x" + n);
                }
            });
            System.out.println("CrashIT: at-least-once redeliveries (delivery was under way at the kill): " + atLeastOnce);
            assertEquals(List.of(), wrongDuplicates, "duplicates of messages whose delivery had not started");
            assertTrue(accepted.size() > 0, "some mail was accepted before the kill");
        }
    }

    private static void stream(int port, int session, Set<String> accepted) {
        try (SmtpSession smtp = new SmtpSession(port)) {
            for (int i = 0; i < PER_SESSION; i++) {
                String tag = "crash-" + session + "-" + i;
                if (smtp.send("load@example.com", "user@example.net", SmtpSession.tagged(tag, 40)) == 250) {
                    accepted.add(tag);
                }
            }
        } catch (IOException e) {
            // the daemon was killed: whatever had no 250 yet was never promised
        }
    }

    static List<String> tags(List<ScriptedRelay.Received> messages) {
        List<String> out = new ArrayList<>();
        for (ScriptedRelay.Received m : messages) {
            out.add(SmtpSession.tagOf(m.contentAsString()));
        }
        return out;
    }
}

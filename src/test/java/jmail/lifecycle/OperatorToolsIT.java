package jmail.lifecycle;

import static jmail.lifecycle.Scenario.WAIT;
import static jmail.lifecycle.Scenario.q;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import jmail.testing.JmailHarness;
import jmail.testing.ScriptedRelay;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** B26 (a jmailq that monitoring can trust) and jmailctl while deliveries run. */
class OperatorToolsIT {
    private static final String TEMPFAIL = "451 4.7.1 try again later";

    @TempDir
    Path tmp;

    @Test
    void jmailqListsEveryDeferredMessageInMailqFormatAndAsJson() throws Exception {
        try (ScriptedRelay relay = ScriptedRelay.builder().replyToMail(TEMPFAIL).start();
             JmailHarness h = new JmailHarness(tmp).relay(relay.port())) {
            h.set("minimal_backoff_time", "300s").set("maximal_backoff_time", "300s").start();
            assertEquals(new JmailHarness.Run(0, "Mail queue is empty\n", ""), h.jmailq());
            String a = Scenario.send(h, "alice@example.com", "Subject: one\n\nbody one\n", "bob@example.net");
            String b = Scenario.send(h, "carol@example.com", "Subject: two\n\nbody two\n", "dave@example.net", "erin@example.net");
            String c = Scenario.send(h, "alice@example.com", "Subject: three\n\nbody three\n", "frank@example.net");
            h.await(WAIT, () -> Scenario.count(q(h), "attempts: 1\\)") == 3, "three deferred messages");

            JmailHarness.Run json = h.jmailq("--json");
            assertEquals(0, json.exit(), json.all());
            List<Config> rows = new ArrayList<>();
            for (String line : json.out().split("\n")) {
                rows.add(ConfigFactory.parseString(line, ConfigParseOptions.defaults().setSyntax(ConfigSyntax.JSON)));
            }
            assertEquals(List.of(a, b, c), rows.stream().map(r -> r.getString("queue_id")).toList());
            Config second = rows.get(1);
            assertEquals("deferred", second.getString("queue_name"));
            assertEquals("carol@example.com", second.getString("sender"));
            assertEquals(2, second.getConfigList("recipients").size());
            assertEquals("erin@example.net", second.getConfigList("recipients").get(1).getString("address"));
            assertEquals(TEMPFAIL, second.getConfigList("recipients").get(0).getString("delay_reason"));
            assertEquals(1, second.getConfigList("recipients").get(0).getInt("attempts"));

            StringBuilder expected = new StringBuilder("-Queue ID-     --Size-- ----Arrival Time---- -Sender/Recipient-------\n");
            long total = 0;
            DateTimeFormatter arrival = DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss", Locale.ROOT).withZone(ZoneId.systemDefault());
            for (Config r : rows) {
                long size = r.getLong("message_size");
                total += size;
                expected.append(String.format(Locale.ROOT, "%-15s%8d %20s %s%n", r.getString("queue_id"), size,
                        arrival.format(Instant.ofEpochSecond(r.getLong("arrival_time"))), r.getString("sender")));
                expected.append("(" + TEMPFAIL + "; attempts: 1)\n");
                for (Config rc : r.getConfigList("recipients")) {
                    expected.append(" ".repeat(45)).append(rc.getString("address")).append('\n');
                }
                expected.append('\n');
            }
            expected.append("-- ").append((total + 1023) / 1024).append(" Kbytes in 3 Requests.\n");
            JmailHarness.Run text = h.jmailq();
            assertEquals(new JmailHarness.Run(0, expected.toString(), ""), text);

            // filters: by sender, by recipient, by queue ID
            assertEquals(2, Scenario.count(h.jmailq("--sender", "alice@example.com").out(), "(?m)^[0-9A-F]{13,16} "));
            String byRcpt = h.jmailq("--recipient", "erin@example.net").out();
            assertTrue(byRcpt.contains(b) && !byRcpt.contains(a) && !byRcpt.contains(c), byRcpt);
            assertTrue(byRcpt.endsWith("in 1 Request.\n"), byRcpt);
            String byId = h.jmailq(c).out();
            assertTrue(byId.contains(c) && !byId.contains(a), byId);

            assertEquals(0, h.jmailctl("delete", "ALL").exit());
            assertEquals(new JmailHarness.Run(0, "Mail queue is empty\n", ""), h.jmailq());
        }
    }

    @Test
    void jmailctlCommandsWorkWhileADeliveryIsInProgress() throws Exception {
        try (ScriptedRelay relay = ScriptedRelay.builder().stallAtEndOfData().start();
             JmailHarness h = new JmailHarness(tmp).relay(relay.port())) {
            h.set("smtp_read_timeout", "8s").set("default_destination_concurrency_limit", "1").start();
            String busy = Scenario.send(h, "alice@example.com", "Subject: stuck\n\nbody\n", "bob@example.net");
            relay.awaitCommand("DATA", WAIT);
            String other = Scenario.send(h, "carol@example.com", "Subject: waiting\n\nsecond body\n", "dave@example.net");

            String listing = q(h);
            assertTrue(listing.contains(busy + "*"), "active marker\n" + listing);
            JmailHarness.Run status = h.jmailctl("status");
            assertEquals(0, status.exit(), status.all());
            assertTrue(status.out().startsWith("jmaild: running, pid "), status.out());
            assertTrue(status.out().contains("queue: 2 message(s) waiting, 0 held, 1 being delivered"), status.out());

            JmailHarness.Run show = h.jmailctl("show", other);
            assertEquals(0, show.exit(), show.all());
            assertTrue(show.out().contains("Subject: waiting\n") || show.out().contains("Subject: waiting\r\n"), show.out());
            assertTrue(show.out().contains("second body"), show.out());

            JmailHarness.Run hold = h.jmailctl("hold", other);
            assertEquals(new JmailHarness.Run(0, "jmailctl: " + other + ": held\n", ""), hold);
            assertTrue(q(h).contains(other + "!"), q(h));
            JmailHarness.Run del = h.jmailctl("delete", busy);
            assertEquals(75, del.exit(), del.all());
            assertEquals("jmailctl: " + busy + ": being delivered right now; held instead, delete it again in a moment\n", del.err());

            for (String cmd : List.of("hold", "release", "delete", "requeue", "show")) {
                JmailHarness.Run r = h.jmailctl(cmd, "ABCDEF0123");
                assertEquals(66, r.exit(), cmd + ": " + r.all());
                assertEquals("jmailctl: ABCDEF0123: no such message in the queue\n", r.err(), cmd);
            }

            // the stalled attempt times out; the held messages stay put until released
            h.await(WAIT, () -> q(h).contains(busy + "!"), "the stuck message to be held, no longer active");
            relay.stallAtEndOfData(false);
            JmailHarness.Run release = h.jmailctl("release", "ALL");
            assertEquals(new JmailHarness.Run(0, "jmailctl: released all (2)\n", ""), release);
            assertEquals(0, h.jmailctl("flush").exit());
            h.awaitEmptyQueue(WAIT);
            Thread.sleep(1500);
            assertEquals(1, relay.messages().stream().filter(m -> m.recipients().contains("dave@example.net")).count());
            // the stalled copy may or may not count at the relay (it never answered); the retry is the one that completed
            assertEquals(1, relay.messages().stream().filter(m -> m.recipients().contains("bob@example.net")).count());
            assertTrue(h.logText().contains("jmail/postsuper["), h.logText());
        }
    }
}

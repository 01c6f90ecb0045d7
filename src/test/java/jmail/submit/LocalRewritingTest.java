package jmail.submit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import jmail.submit.MessageCleanup.Options;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Header address qualification, sender_rewrite and the hand-written date format. */
class LocalRewritingTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-03T16:58:39Z"), ZoneOffset.UTC);
    private static final String TAIL = "Date: Thu, 3 Dec 2026 16:58:39 +0000\r\n"
            + "Message-ID: <20261203165839.0123456789abcdef@host.example.com>\r\n";

    @TempDir
    Path tmp;

    private static MessageCleanup.Result clean(String in, String sender, String fullName, SenderRewrite rw) throws Exception {
        Options o = new Options(false, false, sender, fullName, "ops", "example.com", "host.example.com", CLOCK, rw);
        return MessageCleanup.clean(new ByteArrayInputStream(in.getBytes(UTF_8)), o, () -> 0x0123456789abcdefL);
    }

    @Test
    void bareNamesInAddressHeadersGetMyoriginAndNothingElseMoves() {
        assertEquals("\"(Cron Daemon)\" <ops@example.com>", HeaderAddressRewriter.rewrite("\"(Cron Daemon)\" <ops>", a -> a + "@example.com"));
        assertEquals(" root@example.com (Cron Daemon)", HeaderAddressRewriter.rewrite(" root (Cron Daemon)", a -> a + "@example.com"));
        assertEquals("a@x, \"Doe, J\" <j@x> ,(c) k@x", HeaderAddressRewriter.rewrite("a, \"Doe, J\" <j> ,(c) k", a -> a + "@x"));
        assertNull(HeaderAddressRewriter.rewrite("list: a, b;", a -> a + "@x"));
    }

    @Test
    void senderRewriteKeepsTheDisplayNameAndCanKeepTheOriginalInReplyTo() throws Exception {
        SenderRewrite rw = SenderRewrite.of("alerts@example.com", "", true);
        MessageCleanup.Result r = clean("From: \"Doe, Jane\" <jane@example.org>\nSubject: s\n\nx\n", "jane@example.org", null, rw);
        assertEquals("alerts@example.com", r.envelopeSender());
        assertEquals("From: \"Doe, Jane\" <alerts@example.com>\r\nSubject: s\r\nReply-To: jane@example.org\r\n" + TAIL + "\r\nx\r\n",
                new String(r.message(), UTF_8));
        MessageCleanup.Result generated = clean("x\n", null, "Ops Team", SenderRewrite.of("alerts@example.com", "", false));
        assertEquals("From: Ops Team <alerts@example.com>\r\n" + TAIL + "\r\nx\r\n", new String(generated.message(), UTF_8));
        assertEquals("", clean("x\n", "<>", null, rw).envelopeSender());
    }

    @Test
    void aPerUserEntryWinsAndBadSettingsNameTheirPlace() throws Exception {
        Path map = tmp.resolve("sender_rewrite");
        Files.writeString(map, "# who  as\nops   ops-alerts@example.com\n");
        SenderRewrite rw = SenderRewrite.of("alerts@example.com", "hash:" + map, false);
        assertEquals("ops-alerts@example.com", rw.target("ops"));
        assertEquals("alerts@example.com", rw.target("www-data"));
        assertNull(SenderRewrite.of("", map.toString(), false).target("www-data"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SenderRewrite.of("alerts", "", false));
        assertEquals("sender_rewrite: \"alerts\" is not a full address (user@domain)", e.getMessage());
        Files.writeString(map, "ops\n");
        e = assertThrows(IllegalArgumentException.class, () -> SenderRewrite.of("", map.toString(), false));
        assertEquals(map + ":1: expected \"login address\"", e.getMessage());
    }

    @Test
    void datesMatchRfc5322InEveryZone() {
        Instant t = Instant.parse("2026-01-04T05:06:07Z");
        assertEquals("Sun, 4 Jan 2026 05:06:07 +0000", MailDates.rfc5322(t.atZone(ZoneOffset.UTC)));
        assertEquals("Sun, 4 Jan 2026 14:06:07 +0900", MailDates.rfc5322(t.atZone(ZoneId.of("Asia/Tokyo"))));
        assertEquals("Sat, 3 Jan 2026 23:36:07 -0530", MailDates.rfc5322(t.atZone(ZoneOffset.ofHoursMinutes(-5, -30))));
        assertEquals("20260104050607", MailDates.compactUtc(ZonedDateTime.ofInstant(t, ZoneId.of("Asia/Tokyo"))));
        assertEquals("000000000000002a", MailDates.hex16(42));
        assertEquals("ffffffffffffffff", MailDates.hex16(-1));
    }

    @Test
    void theLocalOffsetComesFromThePosixStringWhenTheZoneHasNoDst() throws Exception {
        assertEquals(ZoneOffset.ofHours(9), LocalOffset.fromPosix("JST-9"));
        assertEquals(ZoneOffset.UTC, LocalOffset.fromPosix("UTC0"));
        assertEquals(ZoneOffset.ofHours(-3), LocalOffset.fromPosix("<-03>3"));
        assertEquals(ZoneOffset.ofHoursMinutes(5, 30), LocalOffset.fromPosix("IST-5:30"));
        assertNull(LocalOffset.fromPosix("CET-1CEST,M3.5.0,M10.5.0/3"));
        assertNull(LocalOffset.fromPosix("EST5EDT"));
        assertNull(LocalOffset.fromPosix(""));
        Path tzif = tmp.resolve("localtime");
        Files.write(tzif, "TZif2 binary part\nJST-9\n".getBytes(UTF_8));
        assertEquals(ZoneOffset.ofHours(9), LocalOffset.fromTzif(tzif));
        Files.write(tzif, "not a tzif file\n".getBytes(UTF_8));
        assertNull(LocalOffset.fromTzif(tzif));
        assertNull(LocalOffset.fromTzif(tmp.resolve("missing")));
    }
}

package jmail.submit;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.random.RandomGenerator;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import jmail.submit.MessageCleanup.Options;
import jmail.submit.MessageCleanup.Result;
import org.junit.jupiter.api.Test;

class MessageCleanupTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-03T16:58:39Z"), ZoneOffset.UTC);
    private static final RandomGenerator FIXED_RANDOM = () -> 0x0123456789abcdefL;
    private static final String DATE = "Date: Thu, 3 Dec 2026 16:58:39 +0000\r\n";
    private static final String MSGID = "Message-ID: <20261203165839.0123456789abcdef@host.example.com>\r\n";
    private static final String GENERATED = "From: ops@example.com\r\n" + DATE + MSGID;

    private static Options opts(boolean extract, boolean dotEnds, String sender, String fullName) {
        return new Options(extract, dotEnds, sender, fullName, "ops", "example.com", "host.example.com", CLOCK);
    }

    /** sendmail -i r@example.net, as user ops. */
    private static Options dashI() {
        return opts(false, false, null, null);
    }

    private static Result clean(byte[] input, Options o) throws Exception {
        Result r = MessageCleanup.clean(new ByteArrayInputStream(input), o, FIXED_RANDOM);
        assertWireInvariants(r.message());
        return r;
    }

    private static Result clean(String input, Options o) throws Exception {
        return clean(input.getBytes(UTF_8), o);
    }

    private static String text(Result r) {
        return new String(r.message(), UTF_8);
    }

    /** The case file's invariants 1, 2 and 4, which hold before dot-stuffing as well. */
    private static void assertWireInvariants(byte[] m) {
        int lineStart = 0;
        for (int i = 0; i < m.length; i++) {
            if (m[i] == '\n') {
                assertTrue(i > 0 && m[i - 1] == '\r', "bare LF at " + i);
                assertTrue(i - 1 - lineStart <= 998, "line over 998 octets at " + lineStart);
                lineStart = i + 1;
            }
            if (m[i] == '\r') {
                assertTrue(i + 1 < m.length && m[i + 1] == '\n', "bare CR at " + i);
            }
            assertNotEquals(0, m[i], "NUL at " + i);
        }
        assertEquals(m.length, lineStart, "message must end with CRLF");
    }

    // ---- line ends, NUL, dots (B02, B03, B04, B05) ----

    @Test
    void b02CrlfInputIsNotDoubled() throws Exception {
        Result crlf = clean("Subject: crlf\r\n\r\nline1\r\nline2\r\n", dashI());
        Result lf = clean("Subject: crlf\n\nline1\nline2\n", dashI());
        assertEquals("Subject: crlf\r\n" + GENERATED + "\r\nline1\r\nline2\r\n", text(crlf));
        assertArrayEquals(crlf.message(), lf.message());
        assertFalse(text(crlf).contains("\r\r\n"));
    }

    @Test
    void b03aLoneCrBecomesALineEnd() throws Exception {
        assertEquals("Subject: log\r\n" + GENERATED + "\r\n50%\r\n100%\r\ndone\r\n",
                text(clean("Subject: log\n\n50%\r100%\ndone\n", dashI())));
    }

    @Test
    void b03bCrRunsBeforeLfAreOneLineEnd() throws Exception {
        assertEquals("Subject: x\r\n" + GENERATED + "\r\nhello\r\n.\r\nQUIT\r\n",
                text(clean("Subject: x\n\nhello\r\r\n.\r\r\nQUIT\r\n", dashI())));
    }

    @Test
    void eachLoneCrOfARunIsALineEnd() throws Exception {
        assertEquals(GENERATED + "\r\na\r\n\r\nb\r\nc\r\n", text(clean("a\r\rb\r\r\nc", dashI())));
    }

    @Test
    void b04NulIsRemovedNotATruncation() throws Exception {
        assertEquals("Subject: nul\r\n" + GENERATED + "\r\nbeforeafter\r\nlast line\r\n",
                text(clean("Subject: nul\n\nbefore\0after\nlast line\n", dashI())));
        assertEquals("Subject: nul\r\n" + GENERATED + "\r\nx\r\n", text(clean("Subj\0ect: n\0ul\n\nx\n", dashI())));
        assertEquals(GENERATED + "\r\na\r\nb\r\n", text(clean("a\r\0\nb", dashI())));
    }

    @Test
    void b05DotsAreNotStuffedHere() throws Exception {
        assertEquals("Subject: dots\r\n" + GENERATED + "\r\n.hidden\r\n..two\r\n.x.y=\r\n",
                text(clean("Subject: dots\n\n.hidden\n..two\n.x.y=\n", dashI())));
    }

    @Test
    void withoutDashIADotLineEndsInputAndNothingMoreIsRead() throws Exception {
        InputStream in = new ByteArrayInputStream("Subject: s\n\nA\n.\nB\n".getBytes(UTF_8));
        Result r = MessageCleanup.clean(new OneByteAtATime(in), opts(false, true, null, null), FIXED_RANDOM);
        assertEquals("Subject: s\r\n" + GENERATED + "\r\nA\r\n", text(r));
        assertEquals("B\n", new String(in.readAllBytes(), UTF_8));
    }

    @Test
    void withoutDashIDotLineWithCrlfOrCrRunAlsoEndsInput() throws Exception {
        assertEquals(GENERATED + "\r\nA\r\n", text(clean("A\r\n.\r\nB\r\n", opts(false, true, null, null))));
        assertEquals(GENERATED + "\r\nA\r\n", text(clean("A\n.\r\r\nB\n", opts(false, true, null, null))));
        assertEquals(GENERATED + "\r\nA\r\n..\r\n. \r\n",
                text(clean("A\n..\n. \n", opts(false, true, null, null))));
    }

    // ---- header/body split (B11, B12) ----

    @Test
    void b11HeaderlessInputIsAllBody() throws Exception {
        Result r = clean("disk almost full\n", dashI());
        assertEquals(GENERATED + "\r\ndisk almost full\r\n", text(r));
        assertEquals("ops@example.com", r.envelopeSender());
        assertEquals(List.of(), r.headerRecipients());
    }

    @Test
    void b11MessageIdsDifferBetweenRuns() throws Exception {
        Result a = MessageCleanup.clean(new ByteArrayInputStream("x\n".getBytes(UTF_8)), dashI());
        Result b = MessageCleanup.clean(new ByteArrayInputStream("x\n".getBytes(UTF_8)), dashI());
        String idA = header(text(a), "Message-ID");
        String idB = header(text(b), "Message-ID");
        assertTrue(idA.matches("Message-ID: <20261203165839\\.[0-9a-f]{16}@host\\.example\\.com>"), idA);
        assertNotEquals(idA, idB);
    }

    @Test
    void b12aHeadersWithoutBlankLineOrFinalNewline() throws Exception {
        assertEquals("Subject: only headers\r\nX-Tag: last\r\n" + GENERATED + "\r\n",
                text(clean("Subject: only headers\nX-Tag: last", dashI())));
    }

    @Test
    void b12bEmptyInput() throws Exception {
        assertEquals(GENERATED + "\r\n", text(clean("", dashI())));
    }

    @Test
    void existingHeadersKeptInOrderWithContinuationsAndGeneratedOnesAfter() throws Exception {
        String in = "X-B: 2\nSubject: folded\n  over\tlines\nX-A: 1\n\nbody\n";
        assertEquals("X-B: 2\r\nSubject: folded\r\n  over\tlines\r\nX-A: 1\r\n" + GENERATED + "\r\nbody\r\n",
                text(clean(in, dashI())));
    }

    @Test
    void nonHeaderLineInHeaderSectionStartsTheBody() throws Exception {
        assertEquals("Subject: a\r\n" + GENERATED + "\r\nbody text\r\nX-Not: header\r\n",
                text(clean("Subject: a\nbody text\nX-Not: header\n", dashI())));
    }

    @Test
    void whitespaceOnlyLineEndsTheHeader() throws Exception {
        assertEquals("Subject: a\r\n" + GENERATED + "\r\nbody\r\n", text(clean("Subject: a\n \t\nbody\n", dashI())));
    }

    @Test
    void firstLineThatIsNotAFieldMakesEverythingBody() throws Exception {
        assertEquals(GENERATED + "\r\n indented: x\r\nSubject: y\r\n",
                text(clean(" indented: x\nSubject: y\n", dashI())));
        assertEquals(GENERATED + "\r\nNo Colon Here: x\r\n", text(clean("No Colon Here: x\n", dashI())));
        assertEquals(GENERATED + "\r\n\r\nSubject: y\r\n", text(clean("\nSubject: y\n", dashI())));
        assertEquals(GENERATED + "\r\n: empty name\r\n", text(clean(": empty name\n", dashI())));
    }

    @Test
    void mboxFromLineIsDroppedOnlyBeforeAHeader() throws Exception {
        assertEquals("Subject: s\r\n" + GENERATED + "\r\nb\r\n",
                text(clean("From ops Thu Dec  3 16:58:39 2026\nSubject: s\n\nb\n", dashI())));
        assertEquals(GENERATED + "\r\nFrom the ops team\r\nhello\r\n",
                text(clean("From the ops team\nhello\n", dashI())));
    }

    // ---- From, Date, Message-ID, envelope sender (B28, B29c) ----

    @Test
    void b28aNullSenderNeverBecomesAtHost() throws Exception {
        Result r = clean("x\n", opts(false, false, "", null));
        assertEquals("", r.envelopeSender());
        assertEquals(GENERATED + "\r\nx\r\n", text(r));
        assertEquals("", clean("x\n", opts(false, false, "<>", null)).envelopeSender());
    }

    @Test
    void b28bFullNameWithCommaIsQuoted() throws Exception {
        Result r = clean("x\n", opts(false, false, "jane@example.com", "Doe, Jane"));
        assertEquals("jane@example.com", r.envelopeSender());
        assertEquals("From: \"Doe, Jane\" <jane@example.com>\r\n" + DATE + MSGID + "\r\nx\r\n", text(r));
    }

    @Test
    void b28cNonAsciiFullNameIsAnEncodedWord() throws Exception {
        Result r = clean("x\n", opts(false, false, "jane@example.com", "山田 太郎"));
        assertEquals("From: =?UTF-8?B?5bGx55SwIOWkqumDjg==?= <jane@example.com>\r\n" + DATE + MSGID + "\r\nx\r\n",
                text(r));
        assertFalse(r.eightBit());
    }

    @Test
    void longNonAsciiFullNameIsSeveralWordsOnFoldedLines() throws Exception {
        String name = "山田 太郎 ".repeat(8).strip();
        Result r = clean("x\n", opts(false, false, "jane@example.com", name));
        String from = header(text(r), "From");
        for (String line : from.split("\r\n")) {
            assertTrue(line.length() <= 78, line);
        }
        assertFalse(r.eightBit());
        StringBuilder decoded = new StringBuilder();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("=\\?UTF-8\\?B\\?([^?]*)\\?=").matcher(from);
        while (m.find()) {
            decoded.append(new String(java.util.Base64.getDecoder().decode(m.group(1)), UTF_8));
        }
        assertEquals(name, decoded.toString());
        assertTrue(from.endsWith(" <jane@example.com>"), from);
    }

    @Test
    void plainFullNameStaysPlainAndSpecialsAreQuotedAndEscaped() throws Exception {
        assertEquals("From: CronDaemon <ops@example.com>",
                header(text(clean("x\n", opts(false, false, null, "CronDaemon"))), "From"));
        assertEquals("From: \"John Q. Public\" <ops@example.com>",
                header(text(clean("x\n", opts(false, false, null, "John Q. Public"))), "From"));
        assertEquals("From: \"say \\\"hi\\\" \\\\o/\" <ops@example.com>",
                header(text(clean("x\n", opts(false, false, null, "say \"hi\" \\o/"))), "From"));
        assertEquals("From: ops@example.com", header(text(clean("x\n", opts(false, false, null, " "))), "From"));
    }

    @Test
    void b28dExistingFromIsKeptAndFullNameIgnored() throws Exception {
        Result r = clean("From: Boss <boss@example.com>\n\nx\n", opts(false, false, "jane@example.com", "Doe, Jane"));
        assertEquals("From: Boss <boss@example.com>\r\n" + DATE + MSGID + "\r\nx\r\n", text(r));
        assertEquals("jane@example.com", r.envelopeSender());
    }

    @Test
    void b29cEncodedWordFromIsPassedThroughUnchanged() throws Exception {
        String from = "From: =?UTF-8?B?Sm9obiA8ai5kb2VAZXhhbXBsZS5jb20+?=\r\n";
        assertEquals(from + DATE + MSGID + "\r\nx\r\n",
                text(clean("From: =?UTF-8?B?Sm9obiA8ai5kb2VAZXhhbXBsZS5jb20+?=\n\nx\n", dashI())));
    }

    @Test
    void senderIsQualifiedAndUsedInGeneratedFrom() throws Exception {
        Result r = clean("x\n", opts(false, false, "fail2ban", null));
        assertEquals("fail2ban@example.com", r.envelopeSender());
        assertEquals("From: fail2ban@example.com\r\n" + DATE + MSGID + "\r\nx\r\n", text(r));
    }

    @Test
    void existingDateAndMessageIdAreKept() throws Exception {
        String in = "Message-Id: <a@b>\ndate: Mon, 1 Jan 2024 00:00:00 +0100\n\nx\n";
        assertEquals("Message-Id: <a@b>\r\ndate: Mon, 1 Jan 2024 00:00:00 +0100\r\nFrom: ops@example.com\r\n\r\nx\r\n",
                text(clean(in, dashI())));
    }

    @Test
    void dateUsesTheClockZone() throws Exception {
        Options tokyo = new Options(false, false, null, null, "ops", "example.com", "host.example.com",
                Clock.fixed(Instant.parse("2026-12-03T16:58:39Z"), ZoneId.of("Asia/Tokyo")));
        assertEquals("Date: Fri, 4 Dec 2026 01:58:39 +0900", header(text(clean("x\n", tokyo)), "Date"));
    }

    @Test
    void badSenderIsDataError() {
        DataException e = assertThrows(DataException.class, () -> clean("x\n", opts(false, false, "a b@x", null)));
        assertEquals(65, e.exitCode());
    }

    // ---- -t (B09, B13b, B15c, B29b) ----

    @Test
    void b09aBccOnlyWithEmptyGroup() throws Exception {
        Result r = clean("To: undisclosed-recipients:;\nBcc: only@example.net\nSubject: s\n\nb\n",
                opts(true, true, null, null));
        assertEquals(List.of("only@example.net"), r.headerRecipients());
        assertEquals("To: undisclosed-recipients:;\r\nSubject: s\r\n" + GENERATED + "\r\nb\r\n", text(r));
    }

    @Test
    void b09bHeaderAndArgvRecipientsMergeWithoutDuplicates() throws Exception {
        Result r = clean("To: dup@example.net\nSubject: s\n\nb\n", opts(true, true, null, null));
        List<String> argv = List.of(MessageCleanup.normalizeAddress("dup@EXAMPLE.net", "example.com"));
        assertEquals(List.of("dup@example.net"), MessageCleanup.mergeRecipients(r.headerRecipients(), argv));
    }

    @Test
    void b09cNoHeaderRecipients() throws Exception {
        assertEquals(List.of(), clean("Subject: s\n\nb\n", opts(true, true, null, null)).headerRecipients());
    }

    @Test
    void b29bRecipientSetFromEveryAddressSyntax() throws Exception {
        String to = "To: \"Doe, John\" <john@example.net>, (team) jane@example.net (Jane), "
                + "<@hop.example.org:rt@example.net>, list: g1@example.net, g2@example.net;";
        Result r = clean(to + "\n\nx\n", opts(true, false, null, null));
        assertEquals(List.of("john@example.net", "jane@example.net", "rt@example.net", "g1@example.net",
                "g2@example.net"), r.headerRecipients());
        assertEquals(to + "\r\n" + GENERATED + "\r\nx\r\n", text(r));
    }

    @Test
    void recipientsComeFromToCcBccInOrderQualifiedAndDeduplicated() throws Exception {
        String in = "Cc: root, b@Example.NET\nTo: a@example.net,\n B@example.net\nBcc: hidden@example.net,\n"
                + "  also@example.net\nSubject: s\nbcc: b@example.net\n\nx\n";
        Result r = clean(in, opts(true, false, null, null));
        assertEquals(List.of("root@example.com", "b@Example.NET", "a@example.net", "B@example.net",
                "hidden@example.net", "also@example.net"), r.headerRecipients());
        // The bare name in Cc is qualified (as Postfix does for local mail); the other fields stay as written.
        assertEquals("Cc: root@example.com, b@Example.NET\r\nTo: a@example.net,\r\n B@example.net\r\nSubject: s\r\n"
                + GENERATED + "\r\nx\r\n", text(r));
    }

    @Test
    void resentHeadersWinOverOriginalOnes() throws Exception {
        String in = "To: orig@example.net\nResent-To: new@example.net\nResent-Bcc: secret@example.net\n\nx\n";
        Result r = clean(in, opts(true, false, null, null));
        assertEquals(List.of("new@example.net", "secret@example.net"), r.headerRecipients());
        assertEquals("To: orig@example.net\r\nResent-To: new@example.net\r\n" + GENERATED + "\r\nx\r\n", text(r));
    }

    @Test
    void bccIsRemovedEvenWithoutDashT() throws Exception {
        assertEquals("To: a@example.net\r\n" + GENERATED + "\r\nx\r\n",
                text(clean("To: a@example.net\nBcc: b@example.net,\n\tc@example.net\n\nx\n", dashI())));
    }

    @Test
    void garbageToHeaderIsFineWithoutDashT() throws Exception {
        String in = "To: Fred Bloggs, <<<@@ ;;\" (unclosed\n\nx\n";
        Result r = clean(in, dashI());
        assertEquals("To: Fred Bloggs, <<<@@ ;;\" (unclosed\r\n" + GENERATED + "\r\nx\r\n", text(r));
        assertEquals(List.of(), r.headerRecipients());
    }

    @Test
    void garbageToHeaderWithDashTIsDataError() {
        DataException e = assertThrows(DataException.class,
                () -> clean("To: Fred Bloggs\n\nx\n", opts(true, false, null, null)));
        assertEquals("-t: cannot read the To: header: not an address in \"Fred Bloggs\"", e.getMessage());
    }

    @Test
    void b15InternationalAddresses() throws Exception {
        Result idn = clean("To: user@bücher.example\n\nx\n", opts(true, false, null, null));
        assertEquals(List.of("user@xn--bcher-kva.example"), idn.headerRecipients());
        assertFalse(idn.needsSmtpUtf8());
        assertTrue(idn.eightBit()); // the To header itself is left as written
        Result utf8 = clean("To: josé@example.net\n\nx\n", opts(true, false, null, null));
        assertEquals(List.of("josé@example.net"), utf8.headerRecipients());
        assertTrue(utf8.needsSmtpUtf8());
        assertTrue(clean("x\n", opts(false, false, "josé@example.net", null)).needsSmtpUtf8());
        assertFalse(clean("x\n", dashI()).needsSmtpUtf8());
    }

    @Test
    void b13bSixtyAddressToLineIsFoldedAndStillSixtyRecipients() throws Exception {
        for (String sep : new String[] {", ", ","}) {
            List<String> addrs = IntStream.rangeClosed(1, 60).mapToObj(i -> String.format("user%02d@example.net", i))
                    .collect(Collectors.toList());
            String to = "To: " + String.join(sep, addrs);
            assertTrue(to.length() > 998);
            Result r = clean(to + "\nSubject: many\n\nx\n", opts(true, false, null, null));
            assertEquals(addrs, r.headerRecipients());
            String folded = header(text(r), "To");
            assertTrue(folded.contains("\r\n "), folded);
            // Folding at white space is undone by removing CRLF; at a bare comma it added one space.
            assertEquals(to, folded.replace(sep.equals(", ") ? "\r\n" : "\r\n ", ""));
            assertEquals(addrs, HeaderAddresses.parse(folded.substring(3)).addresses());
        }
    }

    // ---- long lines, 8-bit, MIME (B13a) ----

    @Test
    void b13aLongBodyLineIsReencodedAsQuotedPrintable() throws Exception {
        Result r = clean("Subject: long\n\n" + "A".repeat(5000) + "\n", dashI());
        String qpBody = ("A".repeat(75) + "=\r\n").repeat(66) + "A".repeat(50) + "\r\n";
        assertEquals("Subject: long\r\n" + GENERATED + "MIME-Version: 1.0\r\n"
                + "Content-Type: text/plain; charset=us-ascii\r\n"
                + "Content-Transfer-Encoding: quoted-printable\r\n\r\n" + qpBody, text(r));
        assertArrayEquals(("A".repeat(5000) + "\r\n").getBytes(UTF_8), decodeQp(qpBody));
    }

    @Test
    void quotedPrintableRoundTripsAwkwardBytes() throws Exception {
        byte[] line = ("é=" + "x".repeat(1000) + "\t=.From  end ").getBytes(UTF_8);
        byte[] input = concat("Subject: q\n\nfirst \n".getBytes(UTF_8), line, "\n\nlast".getBytes(UTF_8));
        Result r = clean(input, dashI());
        String out = text(r);
        assertTrue(out.contains("Content-Type: text/plain; charset=UTF-8\r\n"), out);
        assertFalse(r.eightBit());
        String body = out.substring(out.indexOf("\r\n\r\n") + 4);
        assertTrue(body.startsWith("first=20\r\n=C3=A9=3D"), body);
        for (String l : body.split("\r\n")) {
            assertTrue(l.length() <= 76, l);
        }
        assertArrayEquals(concat("first \r\n".getBytes(UTF_8), line, "\r\n\r\nlast\r\n".getBytes(UTF_8)),
                decodeQp(body));
    }

    @Test
    void longLineInNonUtf8BodyIsLabelledUnknown8bit() throws Exception {
        byte[] input = concat("Subject: l\n\n".getBytes(UTF_8), "\u00e9".repeat(1000).getBytes(ISO_8859_1));
        String out = text(clean(input, dashI()));
        assertTrue(out.contains("Content-Type: text/plain; charset=unknown-8bit\r\n"), out);
        assertTrue(out.contains("\r\n\r\n=E9=E9"), out);
    }

    @Test
    void longLineWith8bitEncodingReplacesItInPlace() throws Exception {
        String in = "MIME-Version: 1.0\nContent-Transfer-Encoding: 8BIT\nContent-Type: text/plain; charset=UTF-8\n"
                + "Content-transfer-encoding: 7bit\n\n" + "b".repeat(1200) + "\n";
        String out = text(clean(in, dashI()));
        String qp = ("b".repeat(75) + "=\r\n").repeat(15) + "b".repeat(75) + "\r\n";
        assertEquals("MIME-Version: 1.0\r\nContent-Transfer-Encoding: quoted-printable\r\n"
                + "Content-Type: text/plain; charset=UTF-8\r\n" + GENERATED + "\r\n" + qp, out);
    }

    @Test
    void longLineInMultipartOrEncodedBodyIsLeftAlone() throws Exception {
        String longLine = "z".repeat(1200);
        for (String headers : new String[] {
                "Content-Type: multipart/mixed; boundary=b\n",
                "Content-Type: message/rfc822\n",
                "Content-Transfer-Encoding: base64\n"}) {
            byte[] out = MessageCleanup.clean(new ByteArrayInputStream((headers + "\n" + longLine + "\n")
                    .getBytes(UTF_8)), dashI(), FIXED_RANDOM).message();
            assertTrue(new String(out, UTF_8).endsWith("\r\n\r\n" + longLine + "\r\n"), headers);
        }
    }

    @Test
    void eightBitUtf8BodyGetsMimeHeaders() throws Exception {
        Result r = clean("Subject: u\n\ncafé\n", dashI());
        assertEquals("Subject: u\r\n" + GENERATED + "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
                + "Content-Transfer-Encoding: 8bit\r\n\r\ncafé\r\n", text(r));
        assertTrue(r.eightBit());
    }

    @Test
    void eightBitNonUtf8BodyPassesUnharmed() throws Exception {
        byte[] in = "Subject: l\n\ncaf\u00e9\n".getBytes(ISO_8859_1);
        Result r = clean(in, dashI());
        assertArrayEquals(("Subject: l\r\n" + GENERATED + "\r\ncaf\u00e9\r\n").getBytes(ISO_8859_1), r.message());
        assertTrue(r.eightBit());
    }

    @Test
    void eightBitBodyWithExistingMimeHeadersGetsNothingAdded() throws Exception {
        String in = "Content-Type: text/plain; charset=ISO-8859-1\n\ncafé\n";
        assertEquals("Content-Type: text/plain; charset=ISO-8859-1\r\n" + GENERATED + "\r\ncafé\r\n",
                text(clean(in, dashI())));
    }

    @Test
    void asciiMessageIsNotEightBit() throws Exception {
        Result r = clean("Subject: a\n\nplain\n", dashI());
        assertFalse(r.eightBit());
        assertFalse(text(r).contains("MIME-Version"));
    }

    @Test
    void longHeaderLineIsFoldedAtWhiteSpaceAndUnfoldsExactly() throws Exception {
        String subject = "Subject: " + "word ".repeat(300).strip();
        String out = text(clean(subject + "\n\nx\n", dashI()));
        String folded = header(out, "Subject");
        assertEquals(subject, folded.replace("\r\n", ""));
        for (String line : folded.split("\r\n")) {
            assertTrue(line.length() <= 78, line);
        }
    }

    @Test
    void longHeaderWithoutBreakPointsIsCutAt998() throws Exception {
        String value = "X-Token: " + "k".repeat(2500);
        String folded = header(text(clean(value + "\n\nx\n", dashI())), "X-Token");
        String[] lines = folded.split("\r\n");
        assertEquals(3, lines.length);
        assertEquals(998, lines[0].length());
        assertEquals(" " + "k".repeat(997), lines[1]);
        assertEquals(value, folded.replace("\r\n ", ""));
    }

    @Test
    void forcedHeaderCutNeverSplitsAUtf8Character() throws Exception {
        String value = "X-Name: " + "é".repeat(1000);
        String folded = header(text(clean(value + "\n\nx\n", dashI())), "X-Name");
        assertEquals(value, folded.replace("\r\n ", ""));
        assertFalse(folded.contains("\ufffd"));
    }

    @Test
    void arbitraryInputAlwaysComesOutWellFormed() throws Exception {
        byte[] alphabet = {'\r', '\n', 0, '.', ':', ' ', '\t', ',', '=', 'a', 'b', 'X', (byte) 0xc3, (byte) 0xa9,
                (byte) 0xff};
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(20261203);
        for (int run = 0; run < 300; run++) {
            ByteArrayOutputStream in = new ByteArrayOutputStream();
            if (rnd.nextBoolean()) {
                in.writeBytes("Subject: fuzz\n".getBytes(UTF_8));
            }
            int size = rnd.nextInt(4000);
            for (int i = 0; i < size; i++) {
                // Long runs of one byte make over-long lines likely.
                byte b = alphabet[rnd.nextInt(alphabet.length)];
                int repeat = rnd.nextInt(20) == 0 ? rnd.nextInt(1500) : 1;
                for (int k = 0; k < repeat; k++) {
                    in.write(b);
                }
            }
            clean(in.toByteArray(), opts(false, rnd.nextBoolean(), null, null)); // asserts the invariants
        }
    }

    @Test
    void quotedPrintableRoundTripsRandomLines() {
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(42);
        for (int run = 0; run < 200; run++) {
            List<byte[]> lines = new java.util.ArrayList<>();
            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            for (int l = rnd.nextInt(5); l >= 0; l--) {
                byte[] line = new byte[rnd.nextInt(rnd.nextBoolean() ? 80 : 2500)];
                for (int i = 0; i < line.length; i++) {
                    int pick = rnd.nextInt(10);
                    line[i] = (byte) (pick == 0 ? ' ' : pick == 1 ? '=' : pick == 2 ? '\t' : rnd.nextInt(256));
                    if (line[i] == '\r' || line[i] == '\n') {
                        line[i] = 'x'; // body lines never hold line-end bytes
                    }
                }
                lines.add(line);
                expected.writeBytes(line);
                expected.writeBytes("\r\n".getBytes(UTF_8));
            }
            StringBuilder encoded = new StringBuilder();
            for (byte[] e : QuotedPrintable.encode(lines)) {
                String s = new String(e, ISO_8859_1);
                assertTrue(s.length() <= 76, s);
                assertTrue(s.chars().allMatch(c -> c == '\t' || c >= 32 && c < 127), s);
                assertFalse(s.endsWith(" ") || s.endsWith("\t"), s);
                encoded.append(s).append("\r\n");
            }
            assertArrayEquals(expected.toByteArray(), decodeQp(encoded.toString()));
        }
    }

    // ---- addresses ----

    @Test
    void normalizeAddress() throws Exception {
        assertEquals("root@example.com", MessageCleanup.normalizeAddress("root", "example.com"));
        assertEquals("a@example.net", MessageCleanup.normalizeAddress(" <a@example.net> ", "example.com"));
        assertEquals("a@example.net", MessageCleanup.normalizeAddress("Jane <a@example.net>", "example.com"));
        assertEquals("rt@example.net", MessageCleanup.normalizeAddress("<@hop.example:rt@example.net>", "x"));
        assertEquals("user@xn--bcher-kva.example", MessageCleanup.normalizeAddress("user@bücher.example", "x"));
        assertEquals("josé@example.net", MessageCleanup.normalizeAddress("josé@example.net", "x"));
        assertEquals("u@[192.0.2.1]", MessageCleanup.normalizeAddress("u@[192.0.2.1]", "x"));
        assertEquals("", MessageCleanup.normalizeAddress("<>", "example.com"));
        assertEquals("", MessageCleanup.normalizeAddress("", "example.com"));
        for (String bad : new String[] {"a b@x.example", "a@b,c@d", "a@-x.example", "=?UTF-8?B?QQ==?=", "a@"}) {
            assertThrows(DataException.class, () -> MessageCleanup.normalizeAddress(bad, "example.com"), bad);
        }
    }

    @Test
    void isValidAddress() {
        for (String good : new String[] {"root", "a@example.net", "first.last+tag@sub.example.net", "josé@bücher.example",
                "u@[192.0.2.1]", "\"quoted\"@example.net", "o'brien@example.ie", "x@my_host.lan"}) {
            assertTrue(MessageCleanup.isValidAddress(good), good);
        }
        for (String bad : new String[] {"", "a b@x.example", "a@x.example\r\n", "a\0@x", "<a@x.example>", "a@",
                "@x.example", "a@x..example", "a@-x.example", "a@x.example.", "a@x@y.example", "x".repeat(65) + "@y.example"}) {
            assertFalse(MessageCleanup.isValidAddress(bad), bad);
        }
        assertFalse(MessageCleanup.isValidAddress(null));
    }

    // ---- helpers ----

    /** The named header field with its folds, without the final CRLF. */
    private static String header(String message, String name) {
        String headers = message.substring(0, message.indexOf("\r\n\r\n") + 2);
        int start = headers.startsWith(name + ":") ? 0 : headers.indexOf("\r\n" + name + ":") + 2;
        int end = start;
        do {
            end = headers.indexOf("\r\n", end) + 2;
        } while (end < headers.length() && (headers.charAt(end) == ' ' || headers.charAt(end) == '\t'));
        return headers.substring(start, end - 2);
    }

    /** An independent RFC 2045 decoder, so the encoder is not tested against itself. */
    private static byte[] decodeQp(String encoded) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String line : encoded.split("\r\n", -1)) {
            boolean soft = line.endsWith("=");
            String content = soft ? line.substring(0, line.length() - 1) : line;
            for (int i = 0; i < content.length(); i++) {
                char c = content.charAt(i);
                if (c == '=') {
                    out.write(Integer.parseInt(content.substring(i + 1, i + 3), 16));
                    i += 2;
                } else {
                    out.write(c);
                }
            }
            if (!soft) {
                out.writeBytes("\r\n".getBytes(UTF_8));
            }
        }
        byte[] all = out.toByteArray();
        // split(-1) yields a final empty string after the last CRLF: drop the CRLF it added.
        return java.util.Arrays.copyOf(all, all.length - 2);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** Hands out one byte per read, like a pipe whose writer is slow. */
    private static final class OneByteAtATime extends InputStream {
        private final InputStream in;

        OneByteAtATime(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws java.io.IOException {
            return in.read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws java.io.IOException {
            return len == 0 ? 0 : super.read(b, off, Math.min(len, 1));
        }
    }
}

package jmail.submit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import jmail.submit.SendmailArgs.Mode;
import org.junit.jupiter.api.Test;

class SendmailArgsTest {

    private static SendmailArgs parse(String... argv) throws Exception {
        return SendmailArgs.parse(argv);
    }

    // ---- real callers ----

    @Test
    void cronie() throws Exception {
        SendmailArgs a = parse("-FCronDaemon", "-i", "-odi", "-oem", "-oi", "-t", "-f", "user");
        assertEquals(Mode.SEND, a.mode());
        assertTrue(a.extractRecipients());
        assertFalse(a.dotEndsInput());
        assertEquals("user", a.sender());
        assertEquals("CronDaemon", a.fullName());
        assertEquals(List.of(), a.recipients());
    }

    @Test
    void debianCron() throws Exception {
        SendmailArgs a = parse("-FCronDaemon", "-i", "-B8BITMIME", "-oem", "root");
        assertFalse(a.extractRecipients());
        assertFalse(a.dotEndsInput());
        assertEquals("8BITMIME", a.bodyType());
        assertEquals("CronDaemon", a.fullName());
        assertNull(a.sender());
        assertEquals(List.of("root"), a.recipients());
    }

    @Test
    void busybox() throws Exception {
        for (String[] argv : new String[][] {{"-t", "-oem", "-i"}, {"-ti"}, {"-it"}}) {
            SendmailArgs a = parse(argv);
            assertTrue(a.extractRecipients(), String.join(" ", argv));
            assertFalse(a.dotEndsInput(), String.join(" ", argv));
            assertEquals(List.of(), a.recipients());
        }
    }

    @Test
    void php() throws Exception {
        SendmailArgs plain = parse("-t", "-i");
        assertTrue(plain.extractRecipients());
        assertFalse(plain.dotEndsInput());
        assertNull(plain.sender());
        assertEquals("addr@example.com", parse("-t", "-i", "-f", "addr@example.com").sender());
        assertEquals("addr@example.com", parse("-t", "-i", "-faddr@example.com").sender());
    }

    @Test
    void phpMailer() throws Exception {
        SendmailArgs a = parse("-oi", "-fsender@example.com", "-t");
        assertTrue(a.extractRecipients());
        assertFalse(a.dotEndsInput());
        assertEquals("sender@example.com", a.sender());
    }

    @Test
    void symfonySmtpOnStdin() throws Exception {
        SendmailArgs a = parse("-bs");
        assertEquals(Mode.SMTP_STDIN, a.mode());
        assertEquals(List.of(), a.recipients());
    }

    @Test
    void gitSendEmail() throws Exception {
        SendmailArgs a = parse("-i", "-f", "me@example.com", "a@example.net", "b@example.org");
        assertEquals("me@example.com", a.sender());
        assertEquals(List.of("a@example.net", "b@example.org"), a.recipients());
        assertFalse(a.dotEndsInput());
    }

    @Test
    void mutt() throws Exception {
        SendmailArgs a = parse("-oem", "-oi", "-B8BITMIME", "-f", "from@example.com", "-N", "success,failure",
                "-R", "hdrs", "--", "to@example.net", "cc@example.net", "bcc@example.net");
        assertFalse(a.dotEndsInput());
        assertEquals("8BITMIME", a.bodyType());
        assertEquals("from@example.com", a.sender());
        assertEquals("SUCCESS,FAILURE", a.dsnNotify());
        assertEquals("HDRS", a.dsnRet());
        assertEquals(List.of("to@example.net", "cc@example.net", "bcc@example.net"), a.recipients());
    }

    @Test
    void rubyMail() throws Exception {
        SendmailArgs a = parse("-i", "-f", "from@example.com", "--", "to@example.net");
        assertEquals("from@example.com", a.sender());
        assertEquals(List.of("to@example.net"), a.recipients());
    }

    @Test
    void mdadm() throws Exception {
        SendmailArgs a = parse("-t", "-fsender@example.com");
        assertTrue(a.extractRecipients());
        assertTrue(a.dotEndsInput());
        assertEquals("sender@example.com", a.sender());
    }

    @Test
    void bsdMailx() throws Exception {
        SendmailArgs a = parse("-oi", "-f", "user@host.example.com", "-t");
        assertTrue(a.extractRecipients());
        assertFalse(a.dotEndsInput());
        assertEquals("user@host.example.com", a.sender());
    }

    @Test
    void at() throws Exception {
        SendmailArgs a = parse("-i", "user");
        assertEquals(List.of("user"), a.recipients());
        assertFalse(a.dotEndsInput());
    }

    @Test
    void fail2ban() throws Exception {
        SendmailArgs a = parse("-f", "fail2ban", "root");
        assertEquals("fail2ban", a.sender());
        assertEquals(List.of("root"), a.recipients());
        assertTrue(a.dotEndsInput());
    }

    // ---- modes ----

    @Test
    void modes() throws Exception {
        assertEquals(Mode.LIST_QUEUE, parse("-bp").mode());
        assertEquals(Mode.NEWALIASES, parse("-bi").mode());
        assertEquals(Mode.NEWALIASES, parse("-I").mode());
        assertEquals(Mode.FLUSH, parse("-q").mode());
        assertEquals(Mode.FLUSH, parse("-q30m").mode());
        assertEquals(Mode.SEND, parse("-bm", "r@example.net").mode());
        assertEquals(Mode.SMTP_STDIN, parse("-b", "s").mode());
    }

    @Test
    void unsupportedModeIsUsageError() {
        UsageException e = assertThrows(UsageException.class, () -> parse("-bd"));
        assertEquals(64, e.exitCode());
    }

    // ---- option syntax ----

    @Test
    void unknownFlagIsUsageError() {
        UsageException e = assertThrows(UsageException.class, () -> parse("-Z", "r@example.net"));
        assertEquals(64, e.exitCode());
        assertEquals("unknown option -Z", e.getMessage());
        assertThrows(UsageException.class, () -> parse("-tZ"));
    }

    @Test
    void missingOptionValueIsUsageError() {
        UsageException e = assertThrows(UsageException.class, () -> parse("-t", "-f"));
        assertEquals("option requires an argument -- f", e.getMessage());
    }

    @Test
    void clusterEndsAtOptionWithValue() throws Exception {
        SendmailArgs a = parse("-tif", "me@example.com");
        assertTrue(a.extractRecipients());
        assertFalse(a.dotEndsInput());
        assertEquals("me@example.com", a.sender());
        assertEquals("x@example.com", parse("-tfx@example.com").sender());
    }

    @Test
    void dashOSpellingsOfIgnoreDots() throws Exception {
        assertFalse(parse("-o", "i", "r@x.example").dotEndsInput());
        assertFalse(parse("-oi", "r@x.example").dotEndsInput());
        assertFalse(parse("-O", "IgnoreDots=true", "r@x.example").dotEndsInput());
        assertFalse(parse("-OIgnoreDots", "r@x.example").dotEndsInput());
        assertTrue(parse("-O", "IgnoreDots=false", "r@x.example").dotEndsInput());
        assertTrue(parse("-oem", "-odi", "-odb", "-oee", "-OQueueDirectory=/x", "r@x.example").dotEndsInput());
    }

    @Test
    void remainingOptionsAreKeptOrAccepted() throws Exception {
        SendmailArgs a = parse("-v", "-V", "env-1", "-C", "/etc/jmail/jmail.conf", "-L", "label", "-h", "5",
                "-r", "bounce@example.com", "-F", "Jane Doe", "-N", "never", "-R", "full", "-B", "7bit",
                "-G", "-U", "-m", "-n", "r@example.net");
        assertTrue(a.verbose());
        assertEquals("env-1", a.envid());
        assertEquals("/etc/jmail/jmail.conf", a.configFile());
        assertEquals("bounce@example.com", a.sender());
        assertEquals("Jane Doe", a.fullName());
        assertEquals("NEVER", a.dsnNotify());
        assertEquals("FULL", a.dsnRet());
        assertEquals("7BIT", a.bodyType());
        assertEquals(List.of("r@example.net"), a.recipients());
    }

    @Test
    void badDsnAndBodyValuesAreUsageErrors() {
        assertThrows(UsageException.class, () -> parse("-N", "sometimes", "r@x.example"));
        assertThrows(UsageException.class, () -> parse("-N", "never,success", "r@x.example"));
        assertThrows(UsageException.class, () -> parse("-R", "body", "r@x.example"));
        assertThrows(UsageException.class, () -> parse("-B", "9BIT", "r@x.example"));
        assertThrows(UsageException.class, () -> parse("-V", "has space", "r@x.example"));
    }

    @Test
    void noRecipientsWithoutDashTIsUsageError() {
        UsageException e = assertThrows(UsageException.class, () -> parse("-i"));
        assertTrue(e.getMessage().contains("no recipients"), e.getMessage());
    }

    @Test
    void optionAfterRecipientIsUsageErrorButNotAfterDoubleDash() throws Exception {
        assertThrows(UsageException.class, () -> parse("root", "-oi"));
        assertEquals(List.of("-odd@example.net"), parse("--", "-odd@example.net").recipients());
    }

    @Test
    void loneDashIsUsageError() {
        assertThrows(UsageException.class, () -> parse("-", "r@example.net"));
    }

    // ---- sender and recipient values ----

    @Test
    void nullSenderSpellings() throws Exception {
        assertEquals("", parse("-f", "<>", "r@example.net").sender());
        assertEquals("", parse("-f", "", "r@example.net").sender());
        assertEquals("", parse("-f<>", "r@example.net").sender());
        assertNull(parse("r@example.net").sender());
        assertEquals("jane@example.com", parse("-f", "<jane@example.com>", "r@example.net").sender());
    }

    @Test
    void commaSeparatedRecipientsAreSplit() throws Exception { // B29a
        assertEquals(List.of("a@example.com", "b@example.net"), parse("-i", "a@example.com,b@example.net").recipients());
        assertEquals(List.of("a@example.com", "b@example.net", "c@example.org"),
                parse("a@example.com, b@example.net,", "c@example.org").recipients());
        assertEquals(List.of("\"Doe, John\" <john@example.net>", "x@example.net"),
                parse("\"Doe, John\" <john@example.net>,x@example.net").recipients());
    }

    @Test
    void lineBreaksAndNulInValuesAreDataErrors() {
        for (String[] argv : new String[][] {
                {"-f", "a@example.com\r\nRCPT TO:<x@evil.example>", "r@example.net"},
                {"-F", "Jane\nBcc: x@evil.example", "r@example.net"},
                {"r@example.net\0"},
                {"-t", "r@example.net\r"}}) {
            DataException e = assertThrows(DataException.class, () -> parse(argv));
            assertEquals(65, e.exitCode());
        }
    }

    @Test
    void overlongArgumentIsUsageError() throws Exception {
        String longRcpt = "a".repeat(990) + "@example.net";
        UsageException e = assertThrows(UsageException.class, () -> parse(longRcpt));
        assertEquals(64, e.exitCode());
        assertEquals(List.of("a".repeat(986) + "@example.net"),
                parse("a".repeat(986) + "@example.net").recipients());
    }

    @Test
    void recipientsListIsImmutable() throws Exception {
        List<String> r = parse("r@example.net").recipients();
        assertThrows(UnsupportedOperationException.class, () -> r.add("x"));
    }
}

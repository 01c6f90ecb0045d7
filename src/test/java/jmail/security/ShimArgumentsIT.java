package jmail.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import jmail.testing.JmailHarness;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Header injection through bin/sendmail's arguments (a web form that passes its "From" field to
 * {@code sendmail -f}): CR or LF in any argument is a data error (65), an over-long argument a usage
 * error (64), and nothing reaches the queue or the maildrop. NUL cannot travel in argv at all
 * (execve ends each argument there); SendmailArgsTest covers it at the parser.
 */
class ShimArgumentsIT {
    private static final String INJECTED = "Bcc: victim@example.net";

    @TempDir
    static Path tmp;
    private static JmailHarness h;

    @BeforeAll
    static void startDaemon() throws Exception {
        h = new JmailHarness(tmp).relay(JmailHarness.freePort()).start();
    }

    @AfterAll
    static void stopDaemon() {
        h.close();
    }

    static Stream<Arguments> hostileArguments() {
        return Stream.of(
                Arguments.of(65, List.of("-f", "alerts@example.com\n" + INJECTED, "user@example.test")),
                Arguments.of(65, List.of("-falerts@example.com\r\n" + INJECTED, "user@example.test")),
                Arguments.of(65, List.of("-F", "Ops\r\n" + INJECTED, "user@example.test")),
                Arguments.of(65, List.of("user@example.test\r\n" + INJECTED)),
                Arguments.of(65, List.of("user@example.test\r" + INJECTED)),
                Arguments.of(65, List.of("-i", "--", "ok@example.test", "user@example.test\n" + INJECTED)),
                Arguments.of(64, List.of("u".repeat(2000) + "@example.test")),
                Arguments.of(64, List.of("-f", "a".repeat(990) + "@example.com", "user@example.test")));
    }

    @ParameterizedTest
    @MethodSource("hostileArguments")
    void isRefusedAndNothingIsQueued(int exit, List<String> args) throws Exception {
        JmailHarness.Run run = h.sendmail("Subject: form\n\nhello\n", args.toArray(String[]::new));
        assertEquals(exit, run.exit(), run.all());
        assertTrue(run.err().startsWith("sendmail: "), run.err());
        assertTrue(run.out().isEmpty(), run.out());
    }

    @AfterEach
    void nothingWasQueued() throws Exception {
        assertTrue(Fixtures.q(h).contains("Mail queue is empty"), Fixtures.q(h));
        Path maildrop = h.queueDirectory().resolve("maildrop");
        if (Files.isDirectory(maildrop)) {
            try (Stream<Path> files = Files.list(maildrop)) {
                assertEquals(List.of(), files.toList());
            }
        }
    }
}

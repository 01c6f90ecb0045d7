package jmail.submit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class HeaderAddressesTest {

    private static List<String> ok(String value) {
        HeaderAddresses.Parsed p = HeaderAddresses.parse(value);
        assertTrue(p.ok(), () -> "errors for " + value + ": " + p.errors());
        return p.addresses();
    }

    @Test
    void plainList() {
        assertEquals(List.of("a@example.com", "b@example.net"), ok("a@example.com, b@example.net"));
        assertEquals(List.of("a@example.com", "b@example.net"), ok("a@example.com,b@example.net"));
    }

    @Test
    void b29bEveryAddressSyntaxAtOnce() {
        assertEquals(List.of("john@example.net", "jane@example.net", "rt@example.net", "g1@example.net",
                        "g2@example.net"),
                ok(" \"Doe, John\" <john@example.net>, (team) jane@example.net (Jane), "
                        + "<@hop.example.org:rt@example.net>, list: g1@example.net, g2@example.net;"));
    }

    @Test
    void displayNames() {
        assertEquals(List.of("j@example.net"), ok("John Doe <j@example.net>"));
        assertEquals(List.of("j@example.net"), ok("\"Doe, \\\"JD\\\" John\" <j@example.net>"));
        assertEquals(List.of("j@example.net"), ok("John Q. Public <j@example.net>"));
        assertEquals(List.of("j@example.net"), ok("j@example.net <j@example.net>"));
    }

    @Test
    void encodedWordDisplayNames() {
        assertEquals(List.of("j@example.net"), ok("=?UTF-8?B?5bGx55SwIOWkqumDjg==?= <j@example.net>"));
        // Broken mailers leave a comma inside a Q word; it must not cut the name in two.
        assertEquals(List.of("j@example.net", "k@example.net"),
                ok("=?UTF-8?Q?Doe,_John?= <j@example.net>, k@example.net"));
    }

    @Test
    void encodedWordAloneIsNotAnAddress() { // B29c: never "=?UTF-8?B?...?=@mailname"
        HeaderAddresses.Parsed p = HeaderAddresses.parse("=?UTF-8?B?Sm9obiA8ai5kb2VAZXhhbXBsZS5jb20+?=");
        assertEquals(List.of(), p.addresses());
        assertFalse(p.ok());
    }

    @Test
    void commentsAnywhere() {
        assertEquals(List.of("a@example.net"), ok("(x) a (nested (comment) here) @ (y) example.net (z)"));
        assertEquals(List.of("a@example.net"), ok("a@example.net (with \\) escaped paren)"));
    }

    @Test
    void groups() {
        assertEquals(List.of(), ok("undisclosed-recipients:;"));
        assertEquals(List.of(), ok("undisclosed-recipients: ;"));
        assertEquals(List.of("a@x.example", "b@x.example", "c@x.example"),
                ok("team: a@x.example, Bee <b@x.example>;, c@x.example"));
        assertEquals(List.of("a@x.example"), ok("unterminated: a@x.example"));
    }

    @Test
    void sourceRoutes() {
        assertEquals(List.of("rt@example.net"), ok("<@a.example,@b.example:rt@example.net>"));
        assertEquals(List.of("rt@example.net"), ok("Route <@a.example:rt@example.net>"));
    }

    @Test
    void bareNamesQuotedLocalPartsAndLiterals() {
        assertEquals(List.of("root", "postmaster"), ok("root, postmaster"));
        assertEquals(List.of("\"john doe\"@example.net"), ok("\"john doe\"@example.net"));
        assertEquals(List.of("user@[192.0.2.1]"), ok("user@[192.0.2.1]"));
        assertEquals(List.of("first.last@sub.example.net"), ok("first.last@sub.example.net"));
    }

    @Test
    void nonAsciiAddresses() {
        assertEquals(List.of("josé@example.net", "user@bücher.example"), ok("josé@example.net, <user@bücher.example>"));
    }

    @Test
    void emptyThingsAreNotErrors() {
        assertEquals(List.of(), ok(""));
        assertEquals(List.of(), ok("   "));
        assertEquals(List.of(), ok("<>"));
        assertEquals(List.of("a@x.example", "b@x.example"), ok("a@x.example,,b@x.example,"));
    }

    @Test
    void semicolonListsOutsideGroups() {
        assertEquals(List.of("a@x.example", "b@x.example"), ok("a@x.example; b@x.example"));
    }

    @Test
    void foldedValue() {
        assertEquals(List.of("a@x.example", "b@x.example"), ok(" a@x.example,\r\n\tb@x.example"));
    }

    @Test
    void garbageIsReportedAndTheRestStillRead() {
        HeaderAddresses.Parsed p = HeaderAddresses.parse("Fred Bloggs, ok@x.example, <unclosed@x.example");
        assertEquals(List.of("ok@x.example"), p.addresses());
        assertEquals(List.of("not an address in \"Fred Bloggs\"", "missing '>' in \"<unclosed@x.example\""),
                p.errors());
    }

    @Test
    void otherSyntaxErrors() {
        for (String bad : new String[] {"a@b@c.example", "\"unterminated@x.example", "a@", "@x.example",
                "a.@x.example", "(open comment a@x.example", "a@x.example junk", "x: y: z@x.example;",
                "a@x..example", "a@x.example.", "<a@x.example> trailing", "a\\b@x.example"}) {
            assertFalse(HeaderAddresses.parse(bad).ok(), bad);
        }
    }
}

package jmail.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jmail.testing.JmailHarness;
import jmail.testing.TestDns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the shell commands of README.md's "Quick start" section, as written, so the README cannot drift
 * from what the build produces. Maven has already built target/jmail, so {@code mvn ...} steps are
 * skipped; the commands run in a temp dir holding conf/dev.conf (moved to a free port, with a DNS
 * server on loopback and a refused SMTP port, so nothing leaves the machine) and target/jmail.
 */
class ReadmeQuickStartIT {
    @TempDir
    Path tmp;

    @Test
    void quickStartCommandsWork() throws Exception {
        List<String> commands = quickStartCommands(Files.readString(Path.of("README.md"), StandardCharsets.UTF_8));
        assertTrue(commands.stream().anyMatch(c -> c.contains("bin/jmaild")), commands.toString());
        assertTrue(commands.stream().anyMatch(c -> c.contains("bin/sendmail")), commands.toString());

        try (TestDns dns = TestDns.start().addMx("example.test", 10, "mx.example.test").addA("mx.example.test", "127.0.0.1")) {
            prepareWorkDir(dns.port());
            Process daemon = null;
            try {
                String last = "";
                for (String command : commands) {
                    if (command.contains("bin/jmaild")) {
                        daemon = startDaemon(command);
                    } else {
                        run(command);
                        last = command;
                    }
                }
                // The last command is jmailq: once the first attempt is over, the message waits with the
                // reason direct delivery failed (here a refused port 25; on most networks a timeout).
                String jmailq = last;
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                String out = run(jmailq);
                while (!out.contains("\n(connect to mx.example.test[127.0.0.1]:") && System.nanoTime() < end) {
                    Thread.sleep(200);
                    out = run(jmailq);
                }
                assertTrue(out.contains("\n(connect to mx.example.test[127.0.0.1]:") && out.contains("user@example.test\n")
                        && out.endsWith(" in 1 Request.\n"), out);
            } finally {
                if (daemon != null) {
                    daemon.destroy();
                    daemon.waitFor(30, TimeUnit.SECONDS);
                }
            }
        }
    }

    private String run(String command) throws Exception {
        Shell.Result r = Shell.run(tmp, Map.of(), "sh", "-c", "cd " + tmp + " && " + command);
        assertEquals(0, r.exit(), command + "\n" + r.output());
        return r.output();
    }

    /** Every line of the sh blocks between "## Quick start" and the next "## ", without mvn steps. */
    static List<String> quickStartCommands(String readme) {
        int start = readme.indexOf("\n## Quick start");
        int end = readme.indexOf("\n## ", start + 1);
        String section = readme.substring(start, end < 0 ? readme.length() : end);
        List<String> commands = new ArrayList<>();
        Matcher block = Pattern.compile("```sh\n(.*?)```", Pattern.DOTALL).matcher(section);
        while (block.find()) {
            for (String line : block.group(1).split("\n")) {
                List<String> steps = new ArrayList<>(List.of(line.trim().split(" && ")));
                steps.removeIf(s -> s.isBlank() || s.startsWith("mvn ") || s.startsWith("#"));
                if (!steps.isEmpty()) {
                    commands.add(String.join(" && ", steps));
                }
            }
        }
        return commands;
    }

    private void prepareWorkDir(int dnsPort) throws Exception {
        Files.createDirectories(tmp.resolve("conf"));
        Files.createDirectories(tmp.resolve("target"));
        Files.createSymbolicLink(tmp.resolve("target/jmail"), JmailHarness.dist().toAbsolutePath());
        String dev = Files.readString(Path.of("conf/dev.conf"));
        String moved = dev.replace("smtpd_listen = [\"127.0.0.1:2525\"]", "smtpd_listen = [\"127.0.0.1:" + JmailHarness.freePort() + "\"]");
        assertTrue(!moved.equals(dev), "conf/dev.conf listens on 127.0.0.1:2525");
        Files.writeString(tmp.resolve("conf/dev.conf"), moved + "\nsmtp_dns_server = \"127.0.0.1:" + dnsPort + "\"\n"
                + "smtp_direct_port = " + JmailHarness.freePort() + "\n");
    }

    private Process startDaemon(String command) throws Exception {
        Path log = tmp.resolve("jmaild.log");
        Process p = new ProcessBuilder("sh", "-c", "cd " + tmp + " && exec " + command).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        InstalledDaemon.awaitStarted(p, log, command);
        return p;
    }
}

package jmail.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Runs the built distribution ({@code target/jmail}) as real processes: a jmaild with its own
 * main.conf and queue directory under a temp dir, and the sendmail, jmailq and jmailctl commands.
 */
public final class JmailHarness implements AutoCloseable {
    /** What a command printed and how it exited. */
    public record Run(int exit, String out, String err) {
        public String all() {
            return out + err;
        }
    }

    private final Path dir;
    private final Path conf;
    private final Path log;
    private final int port;
    private final Map<String, String> settings = new LinkedHashMap<>();
    private Process daemon;

    public JmailHarness(Path dir) throws IOException {
        this.dir = dir;
        this.conf = dir.resolve("main.conf");
        this.log = dir.resolve("jmaild.log");
        this.port = freePort();
        settings.put("myhostname", "\"client.example.com\"");
        settings.put("myorigin", "\"example.com\"");
        settings.put("smtpd_listen", "[\"127.0.0.1:" + port + "\"]");
        settings.put("queue_directory", "\"" + dir.resolve("spool") + "\"");
        settings.put("alias_maps", "\"\"");
        settings.put("minimal_backoff_time", "1s");
        settings.put("maximal_backoff_time", "2s");
        settings.put("queue_run_delay", "1s");
        settings.put("smtp_connect_timeout", "5s");
        settings.put("smtp_read_timeout", "10s");
        writeConf();
    }

    public static Path dist() {
        String d = System.getProperty("jmail.dist");
        return Path.of(d != null ? d : "target/jmail");
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    public Path dir() {
        return dir;
    }

    public Path conf() {
        return conf;
    }

    public int port() {
        return port;
    }

    public Path queueDirectory() {
        return dir.resolve("spool");
    }

    /** Sets a main.conf key to a raw HOCON value (quote strings yourself). */
    public JmailHarness set(String key, String rawValue) throws IOException {
        settings.put(key, rawValue);
        writeConf();
        return this;
    }

    public JmailHarness relay(int relayPort) throws IOException {
        return set("relayhost", "\"[127.0.0.1]:" + relayPort + "\"");
    }

    /** Relay with credentials: writes a mode-600 password map keyed by the relayhost as written. */
    public JmailHarness relayWithAuth(int relayPort, String user, String password) throws IOException {
        relay(relayPort);
        Path map = dir.resolve("sasl_passwd");
        Files.writeString(map, "[127.0.0.1]:" + relayPort + " " + user + ":" + password + "\n");
        Files.setPosixFilePermissions(map, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        set("smtp_sasl_auth_enable", "yes");
        return set("smtp_sasl_password_maps", "\"" + map + "\"");
    }

    private void writeConf() throws IOException {
        StringBuilder b = new StringBuilder();
        settings.forEach((k, v) -> b.append(k).append(" = ").append(v).append('\n'));
        Files.writeString(conf, b.toString());
    }

    /** Starts jmaild and waits until it listens. */
    public JmailHarness start() throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(dist().resolve("bin/jmaild").toString(), "-C", conf.toString());
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        daemon = pb.start();
        Process p = daemon;
        await(Duration.ofSeconds(60), () -> logText().contains("daemon started") && logText().lastIndexOf("daemon started")
                > logText().lastIndexOf("terminating") || !p.isAlive(), "jmaild to start");
        if (!daemon.isAlive()) {
            throw new IllegalStateException("jmaild exited " + daemon.exitValue() + ":\n" + logText());
        }
        return this;
    }

    public Process daemon() {
        return daemon;
    }

    public void kill9() throws InterruptedException {
        daemon.destroyForcibly();
        daemon.waitFor(30, TimeUnit.SECONDS);
    }

    public void stop() throws InterruptedException {
        if (daemon != null && daemon.isAlive()) {
            daemon.destroy();
            if (!daemon.waitFor(30, TimeUnit.SECONDS)) {
                daemon.destroyForcibly();
                daemon.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    public String logText() {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }

    public Run sendmail(byte[] stdin, String... args) throws IOException, InterruptedException {
        return command("sendmail", stdin, args);
    }

    public Run sendmail(String stdin, String... args) throws IOException, InterruptedException {
        return sendmail(stdin.getBytes(StandardCharsets.UTF_8), args);
    }

    public Run jmailq(String... args) throws IOException, InterruptedException {
        return command("jmailq", new byte[0], args);
    }

    public Run jmailctl(String... args) throws IOException, InterruptedException {
        return command("jmailctl", new byte[0], args);
    }

    public Run jmaildOnce(String... args) throws IOException, InterruptedException {
        return command("jmaild", new byte[0], args);
    }

    /** Runs bin/NAME with JMAIL_CONF pointing at this harness's main.conf. */
    public Run command(String name, byte[] stdin, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(dist().resolve("bin").resolve(name).toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("JMAIL_CONF", conf.toString());
        Process p = pb.start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread to = copy(p.getInputStream(), out);
        Thread te = copy(p.getErrorStream(), err);
        try (OutputStream in = p.getOutputStream()) {
            in.write(stdin);
        } catch (IOException ignored) {
            // the command may exit without reading its input
        }
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(name + " did not finish in 120 s");
        }
        to.join();
        te.join();
        return new Run(p.exitValue(), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static Thread copy(InputStream in, ByteArrayOutputStream out) {
        Thread t = new Thread(() -> {
            try {
                in.transferTo(out);
            } catch (IOException ignored) {
                // process ended
            }
        });
        t.start();
        return t;
    }

    /** Polls until the condition holds; fails with {@code what} and the daemon log after the timeout. */
    public void await(Duration timeout, BooleanSupplier condition, String what) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for " + what + "; jmaild log:\n" + logText());
            }
            Thread.sleep(50);
        }
    }

    /** Waits until jmailq shows an empty queue. */
    public void awaitEmptyQueue(Duration timeout) throws InterruptedException {
        await(timeout, () -> {
            try {
                return jmailq().out().contains("Mail queue is empty");
            } catch (IOException | InterruptedException e) {
                return false;
            }
        }, "an empty queue");
    }

    @Override
    public void close() {
        try {
            stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package jmail.packaging;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jmail.testing.JmailHarness;

/**
 * The jmaild, sendmail and jmailq installed in a throwaway root, run from their launchers there against
 * that root's queue, with a main.conf of the test's (see {@link #writeConf}).
 */
final class InstalledDaemon implements AutoCloseable {
    private static final Pattern QUEUE_ID = Pattern.compile("(?m)^([0-9A-F]{6,})\\s");
    private final Path root;
    private final Path conf;
    private final Path work;
    private final Process process;
    private final Path log;

    private InstalledDaemon(Path root, Path conf, Path work, Process process, Path log) {
        this.root = root;
        this.conf = conf;
        this.work = work;
        this.process = process;
        this.log = log;
    }

    /** Starts the installed jmaild with {@code conf} and waits until it logs "daemon started". */
    static InstalledDaemon start(Path root, Path conf, Path work) throws IOException, InterruptedException {
        Path log = work.resolve("installed-jmaild.log");
        Process p = new ProcessBuilder(launcher(root, "jmaild").toString(), "-C", conf.toString()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        awaitStarted(p, log, "installed jmaild");
        return new InstalledDaemon(root, conf, work, p, log);
    }

    /** Waits until a jmaild writing to {@code log} says "daemon started"; kills it and fails if it does not. */
    static void awaitStarted(Process p, Path log, String what) throws IOException, InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.readString(log, StandardCharsets.UTF_8).contains("daemon started")) {
            if (!p.isAlive() || System.nanoTime() > end) {
                p.destroyForcibly();
                throw new AssertionError(what + " did not start:\n" + Files.readString(log, StandardCharsets.UTF_8));
            }
            Thread.sleep(50);
        }
    }

    /** Only the commands, for looking at the queue while the daemon is down. */
    static InstalledDaemon offline(Path root, Path conf, Path work) {
        return new InstalledDaemon(root, conf, work, null, null);
    }

    /**
     * A main.conf for the test: {@code settings}, then the queue in {@code spool} and the listener on a
     * free loopback port (the installed defaults, /var/spool/jmail and port 25, belong to the host).
     */
    static Path writeConf(Path work, Path spool, String settings) throws IOException {
        Path conf = work.resolve("installed-main.conf");
        Files.writeString(conf, settings
                + "queue_directory = \"" + spool + "\"\n"
                + "smtpd_listen = [\"127.0.0.1:" + JmailHarness.freePort() + "\"]\n"
                + "myhostname = \"client.example.com\"\n"
                + "alias_maps = \"\"\n");
        return conf;
    }

    private static Path launcher(Path root, String name) {
        return root.resolve("usr/share/jmail/bin").resolve(name);
    }

    /** Runs an installed command with no input. */
    Shell.Result command(String name, String... args) throws IOException, InterruptedException {
        return feed(name, "", args);
    }

    /** Runs an installed command with {@code stdin} as its input. */
    Shell.Result feed(String name, String stdin, String... args) throws IOException, InterruptedException {
        Path in = work.resolve("stdin.txt");
        Files.writeString(in, stdin);
        String[] cmd = new String[args.length + 1];
        cmd[0] = launcher(root, name).toString();
        System.arraycopy(args, 0, cmd, 1, args.length);
        return Shell.runWithInput(work, Map.of("JMAIL_CONF", conf.toString()), in, cmd);
    }

    /** Waits until jmailq lists one message and returns its queue ID. */
    String awaitQueuedId() throws IOException, InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            Shell.Result q = command("jmailq");
            Matcher m = QUEUE_ID.matcher(q.output());
            if (m.find()) {
                return m.group(1);
            }
            if (System.nanoTime() > end) {
                throw new AssertionError("no queued message: " + q.output() + "\njmaild log:\n" + Files.readString(log));
            }
            Thread.sleep(200);
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }
}

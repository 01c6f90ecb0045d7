package jmail.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;
import jmail.config.ConfigError;
import jmail.config.JmailConfig;
import jmail.mail.MailLog;
import jmail.mail.Sysexits;
import jmail.queue.QueueException;
import jmail.queue.QueueStore;
import sun.misc.Signal;

/**
 * jmaild: the daemon. Runs in the foreground (systemd supervises it; {@code kill -9} really kills it),
 * logs to stdout, and exits 78 for a configuration mistake, 75 when the queue is busy or unusable, 69
 * when it cannot listen. SIGHUP re-reads the configuration (see {@link #reload()}).
 */
public final class Jmaild {
    public static void main(String[] args) {
        // Angus and HikariCP log through java.util.logging; their lines are not Postfix-format mail
        // log lines and would break log parsers. jmail reports everything it needs through MailLog.
        java.util.logging.LogManager.getLogManager().reset();
        String conf = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("-C") && i + 1 < args.length) {
                conf = args[++i];
            } else if (args[i].equals("-C")) {
                System.err.println("jmaild: -C needs a file name; usage: jmaild [-C main.conf]");
                System.exit(Sysexits.USAGE);
            } else if (args[i].equals("-h") || args[i].equals("--help")) {
                System.out.println("usage: jmaild [-C main.conf]");
                System.exit(0);
            } else {
                System.err.println("jmaild: unknown argument " + args[i] + "; usage: jmaild [-C main.conf]");
                System.exit(Sysexits.USAGE);
            }
        }
        System.exit(run(JmailConfig.locate(conf)));
    }

    static int run(Path confFile) {
        Services.Settings settings;
        try {
            settings = Services.Settings.load(confFile);
        } catch (ConfigError e) {
            System.err.println("jmaild: fatal: " + e.getMessage());
            return Sysexits.CONFIG;
        }
        JmailConfig c = settings.config();
        MailLog.configure(c.myhostname(), System.out);
        QueueStore store;
        try {
            Files.createDirectories(c.queueDirectory());
            store = QueueStore.open(c.queueDirectory(), Clock.systemUTC());
            store.sweepOrphans();
        } catch (IOException | QueueException e) {
            System.err.println("jmaild: fatal: " + e.getMessage());
            return Sysexits.TEMPFAIL;
        }
        Jmaild daemon = new Jmaild(confFile, store);
        StartFailure failed = daemon.startWith(settings);
        if (failed != null) {
            System.err.println("jmaild: fatal: " + failed.message());
            store.close();
            return failed.exit();
        }
        MailLog.log("master", "daemon started -- version " + version() + ", configuration " + c.file());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            MailLog.log("master", "terminating on signal");
            daemon.stop();
            store.close();
            stopped.countDown();
        }, "jmail-shutdown"));
        Signal.handle(new Signal("HUP"), sig -> daemon.reload());
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return Sysexits.OK;
    }

    private final Path confFile;
    private final QueueStore store;
    private Services.Settings settings;
    private Services services;
    private boolean stopping;

    private Jmaild(Path confFile, QueueStore store) {
        this.confFile = confFile;
        this.store = store;
    }

    /** Why the services could not start, and the exit status that says so. */
    private record StartFailure(int exit, String message) {
    }

    /** Starts the services; returns null, or why they could not start. */
    private synchronized StartFailure startWith(Services.Settings s) {
        try {
            services = Services.start(s, store);
            settings = s;
            return null;
        } catch (ConfigError e) {
            return new StartFailure(Sysexits.CONFIG, e.getMessage());
        } catch (IllegalArgumentException e) {
            return new StartFailure(Sysexits.CONFIG, s.config().file() + ": " + e.getMessage());
        } catch (IOException e) {
            return new StartFailure(Sysexits.UNAVAILABLE, "cannot listen on " + s.config().list("smtpd_listen") + ": " + e.getMessage());
        }
    }

    /**
     * SIGHUP: re-reads main.conf and the maps and restarts listener, pickup and delivery with them. The
     * queue stays open throughout, so nothing queued is lost; a file that does not load, or settings that
     * cannot start, leave the old settings running.
     */
    private synchronized void reload() {
        if (stopping) {
            return;
        }
        Services.Settings next;
        try {
            next = Services.Settings.load(confFile);
        } catch (ConfigError e) {
            MailLog.warning("master", "reload failed, keeping the running configuration: " + e.getMessage());
            return;
        }
        if (!next.config().queueDirectory().equals(settings.config().queueDirectory())) {
            MailLog.warning("master", "reload failed, keeping the running configuration: queue_directory changes only "
                    + "take effect when jmaild restarts");
            return;
        }
        services.close();
        StartFailure failed = startWith(next);
        if (failed == null) {
            MailLog.configure(next.config().myhostname(), System.out);
            MailLog.log("master", "reloaded configuration " + confFile);
            return;
        }
        MailLog.warning("master", "reload failed, keeping the running configuration: " + failed.message());
        StartFailure again = startWith(settings);
        if (again != null) {
            MailLog.warning("master", "fatal: cannot restart with the running configuration either: " + again.message());
            new Thread(() -> System.exit(again.exit()), "jmail-exit").start();
        }
    }

    private synchronized void stop() {
        stopping = true;
        services.close();
    }

    static String version() {
        String v = Jmaild.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}

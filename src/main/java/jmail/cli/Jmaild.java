package jmail.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;
import jmail.config.AliasMap;
import jmail.config.ConfigError;
import jmail.config.JmailConfig;
import jmail.config.PasswordMap;
import jmail.control.Commands;
import jmail.control.ControlSocket;
import jmail.delivery.DeliveryAgent;
import jmail.delivery.Scheduler;
import jmail.mail.MailLog;
import jmail.mail.Sysexits;
import jmail.queue.QueueException;
import jmail.queue.QueueStore;
import jmail.submit.Listener;
import jmail.submit.Maildrop;
import jmail.submit.Networks;
import jmail.submit.Pickup;
import jmail.submit.RecipientResolver;

/**
 * jmaild: the daemon. Runs in the foreground (systemd supervises it; {@code kill -9} really kills it),
 * logs to stdout, and exits 78 for a configuration mistake, 75 when the queue is busy or unusable, 69
 * when it cannot listen.
 */
public final class Jmaild {
    private Jmaild() {
    }

    public static void main(String[] args) {
        String conf = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("-C") && i + 1 < args.length) {
                conf = args[++i];
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
        JmailConfig c;
        PasswordMap passwords;
        AliasMap aliases;
        try {
            c = JmailConfig.load(confFile, w -> System.err.println("jmaild: " + w));
            passwords = c.bool("smtp_sasl_auth_enable") ? PasswordMap.load(c.string("smtp_sasl_password_maps")) : PasswordMap.empty();
            aliases = AliasMap.load(c.string("alias_maps"));
        } catch (ConfigError e) {
            System.err.println("jmaild: fatal: " + e.getMessage());
            return Sysexits.CONFIG;
        }
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
        Path maildrop = Maildrop.directory(c.queueDirectory());
        Scheduler scheduler;
        Listener listener;
        ControlSocket control;
        try {
            Files.createDirectories(maildrop);
            try {
                Files.setPosixFilePermissions(maildrop, PosixFilePermissions.fromString("rwx-wx-wx"));
            } catch (UnsupportedOperationException | IOException e) {
                MailLog.warning("master", "cannot make " + maildrop + " writable for local users: " + e.getMessage());
            }
            scheduler = DeliveryAgent.create(c, store, passwords);
            RecipientResolver resolver = new RecipientResolver(aliases, c.myorigin());
            Pickup pickup = new Pickup(maildrop, store, resolver, scheduler::wakeUp);
            listener = Listener.start(new Listener.Settings(store, resolver, c.myhostname(), c.list("smtpd_listen"),
                    Networks.parse(c.list("mynetworks")), c.number("message_size_limit"), (int) c.number("smtpd_recipient_limit"),
                    (int) c.number("smtpd_client_connection_count_limit"), (int) c.duration("smtpd_timeout").toSeconds(),
                    c.bool("smtpd_forbid_bare_newline"), scheduler::wakeUp));
            control = ControlSocket.start(c.queueDirectory(), new Commands(store, scheduler));
            scheduler.start();
            startPickup(pickup);
        } catch (ConfigError e) {
            System.err.println("jmaild: fatal: " + e.getMessage());
            store.close();
            return Sysexits.CONFIG;
        } catch (IllegalArgumentException e) {
            System.err.println("jmaild: fatal: " + c.file() + ": " + e.getMessage());
            store.close();
            return Sysexits.CONFIG;
        } catch (IOException e) {
            System.err.println("jmaild: fatal: cannot listen on " + c.list("smtpd_listen") + ": " + e.getMessage());
            store.close();
            return Sysexits.UNAVAILABLE;
        }
        MailLog.log("master", "daemon started -- version " + version() + ", configuration " + c.file());
        CountDownLatch stopped = new CountDownLatch(1);
        Scheduler s = scheduler;
        Listener l = listener;
        ControlSocket ctl = control;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            MailLog.log("master", "terminating on signal");
            l.close();
            ctl.close();
            s.close();
            store.close();
            stopped.countDown();
        }, "jmail-shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return Sysexits.OK;
    }

    private static void startPickup(Pickup pickup) {
        Thread t = new Thread(() -> {
            while (true) {
                pickup.scan();
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "jmail-pickup");
        t.setDaemon(true);
        t.start();
    }

    static String version() {
        String v = Jmaild.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}

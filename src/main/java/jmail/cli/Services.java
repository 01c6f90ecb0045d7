package jmail.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import jmail.config.AliasMap;
import jmail.config.ConfigError;
import jmail.config.JmailConfig;
import jmail.config.PasswordMap;
import jmail.control.Commands;
import jmail.control.ControlSocket;
import jmail.delivery.DeliveryAgent;
import jmail.delivery.Scheduler;
import jmail.mail.MailLog;
import jmail.queue.QueueStore;
import jmail.submit.Listener;
import jmail.submit.Maildrop;
import jmail.submit.Networks;
import jmail.submit.Pickup;
import jmail.submit.RecipientResolver;

/**
 * What jmaild runs on top of the queue: the loopback listener, the maildrop pickup, the delivery
 * scheduler and the control socket, all built from one {@link Settings}. The queue itself is not part
 * of it, so a reload (SIGHUP) closes one Services and starts another without touching queued mail.
 *
 * <p>SECURITY: the listener and the control socket take untrusted input; see their own classes.
 */
final class Services implements AutoCloseable {
    /** main.conf and the maps it names, loaded and validated together. */
    record Settings(JmailConfig config, PasswordMap passwords, AliasMap aliases) {
        static Settings load(Path confFile) throws ConfigError {
            JmailConfig c = JmailConfig.load(confFile, w -> System.err.println("jmaild: " + w));
            PasswordMap passwords = c.bool("smtp_sasl_auth_enable") ? PasswordMap.load(c.string("smtp_sasl_password_maps"))
                    : PasswordMap.empty();
            return new Settings(c, passwords, AliasMap.load(c.string("alias_maps")));
        }
    }

    private final Scheduler scheduler;
    private final Listener listener;
    private final ControlSocket control;
    private final PickupLoop pickup;

    private Services(Scheduler scheduler, Listener listener, ControlSocket control, PickupLoop pickup) {
        this.scheduler = scheduler;
        this.listener = listener;
        this.control = control;
        this.pickup = pickup;
    }

    /**
     * Starts everything, or nothing: what started before a failure is closed again.
     *
     * @throws ConfigError              a value main.conf's validation could not catch
     * @throws IllegalArgumentException a malformed listener address or network
     * @throws IOException              the listener or the control socket cannot bind
     */
    static Services start(Settings s, QueueStore store) throws ConfigError, IOException {
        JmailConfig c = s.config();
        Path maildrop = Maildrop.directory(c.queueDirectory());
        Files.createDirectories(maildrop);
        try {
            // 1733, as Postfix's old world-writable maildrop: anyone may drop a file, nobody may list
            // the directory, and the sticky bit stops users from deleting each other's files.
            Files.setAttribute(maildrop, "unix:mode", 01733);
        } catch (UnsupportedOperationException | IllegalArgumentException | IOException e) {
            MailLog.warning("master", "cannot make " + maildrop + " writable for local users: " + e.getMessage());
        }
        Scheduler scheduler = DeliveryAgent.create(c, store, s.passwords());
        RecipientResolver resolver = new RecipientResolver(s.aliases(), c.myorigin());
        Listener listener = Listener.start(new Listener.Settings(store, resolver, c.myhostname(), c.list("smtpd_listen"),
                Networks.parse(c.list("mynetworks")), c.number("message_size_limit"), (int) c.number("smtpd_recipient_limit"),
                (int) c.number("smtpd_client_connection_count_limit"), (int) c.duration("smtpd_timeout").toSeconds(),
                c.bool("smtpd_forbid_bare_newline"), scheduler::wakeUp));
        ControlSocket control;
        try {
            control = ControlSocket.start(c.queueDirectory(), new Commands(store, scheduler));
        } catch (IOException | RuntimeException e) {
            listener.close();
            throw e;
        }
        scheduler.start();
        PickupLoop pickup = new PickupLoop(new Pickup(maildrop, store, resolver, scheduler::wakeUp));
        return new Services(scheduler, listener, control, pickup);
    }

    /** Stops taking mail first, then lets deliveries in progress finish. */
    @Override
    public void close() {
        listener.close();
        control.close();
        pickup.close();
        scheduler.close();
    }

    /** Scans maildrop/ twice a second; stopped with a flag, not an interrupt, so no scan is cut short. */
    private static final class PickupLoop implements AutoCloseable {
        private volatile boolean running = true;
        private final Thread thread;

        PickupLoop(Pickup pickup) {
            thread = new Thread(() -> {
                while (running) {
                    pickup.scan();
                    try {
                        Thread.sleep(500);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "jmail-pickup");
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void close() {
            running = false;
            try {
                thread.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

package jmail.control;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import jmail.delivery.Scheduler;
import jmail.mail.MailLog;
import jmail.mail.Sysexits;
import jmail.queue.QueueException;
import jmail.queue.QueueId;
import jmail.queue.QueueStore;
import jmail.queue.QueuedMessage;
import jmail.submit.Maildrop;

/**
 * The operator commands of {@code jmailq} and {@code jmailctl}, run inside the daemon (through the
 * control socket) or, when the daemon is down, directly on the queue. Output goes to the given
 * streams; the return value is the exit code.
 */
public final class Commands {
    private final QueueStore store;
    private final Scheduler scheduler;

    /** {@code scheduler} is null when the daemon is not running. */
    public Commands(QueueStore store, Scheduler scheduler) {
        this.store = store;
        this.scheduler = scheduler;
    }

    /** Commands that change the queue or show message content: root or the daemon's own user only. */
    static boolean privileged(String command) {
        return !command.equals("mailq") && !command.equals("flush") && !command.equals("status");
    }

    public int run(List<String> args, PrintStream out, PrintStream err) {
        if (args.isEmpty()) {
            err.println("jmailctl: no command; try jmailctl help");
            return Sysexits.USAGE;
        }
        String cmd = args.get(0);
        List<String> rest = args.subList(1, args.size());
        try {
            return switch (cmd) {
                case "mailq" -> mailq(rest, out, err);
                case "flush" -> flush(out);
                case "hold" -> each(rest, "held", id -> store.setHeld(id, true), out, err);
                case "release" -> each(rest, "released", id -> store.setHeld(id, false), out, err);
                case "requeue" -> each(rest, "requeued", store::makeDue, out, err);
                case "delete" -> delete(rest, out, err);
                case "show" -> show(rest, out, err);
                case "status" -> status(out);
                default -> {
                    err.println("jmailctl: unknown command " + cmd + "; try jmailctl help");
                    yield Sysexits.USAGE;
                }
            };
        } catch (QueueException e) {
            err.println("jmailctl: " + e.getMessage());
            return Sysexits.TEMPFAIL;
        } finally {
            if (scheduler != null && !cmd.equals("mailq") && !cmd.equals("show") && !cmd.equals("status")) {
                scheduler.wakeUp();
            }
        }
    }

    private int mailq(List<String> args, PrintStream out, PrintStream err) throws QueueException {
        boolean json = false;
        String sender = null;
        String recipient = null;
        Set<String> ids = new java.util.HashSet<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "--json", "-j" -> json = true;
                case "--sender", "-s" -> sender = value(args, ++i);
                case "--recipient", "-r" -> recipient = value(args, ++i);
                default -> {
                    if (a.startsWith("-") || !QueueId.isValid(a.toUpperCase(Locale.ROOT))) {
                        err.println("jmailq: unknown argument " + a + "; usage: jmailq [--json] [--sender ADDR] [--recipient ADDR] [QUEUE-ID...]");
                        return Sysexits.USAGE;
                    }
                    ids.add(a.toUpperCase(Locale.ROOT));
                }
            }
        }
        QueueListing listing = new QueueListing(out, json);
        Set<String> active = scheduler == null ? Set.of() : scheduler.active();
        String fSender = sender;
        String fRecipient = recipient;
        store.forEach(active, m -> {
            if ((ids.isEmpty() || ids.contains(m.id()))
                    && (fSender == null || m.sender().equalsIgnoreCase(fSender))
                    && (fRecipient == null || m.pending().stream().anyMatch(r -> r.address().equalsIgnoreCase(fRecipient)))
                    && !m.pending().isEmpty()) {
                listing.add(m, m.held() ? "hold" : m.active() ? "active" : "deferred");
            }
        });
        if (ids.isEmpty() && fSender == null && fRecipient == null) {
            listMaildrop(listing);
        }
        listing.finish();
        return Sysexits.OK;
    }

    /** Messages the shim left while the daemon was down: queued, but not yet picked up. */
    private void listMaildrop(QueueListing listing) {
        Path dir = Maildrop.directory(store.directory());
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, p -> !p.getFileName().toString().startsWith(".") && Files.isRegularFile(p))) {
            for (Path f : files) {
                try {
                    Maildrop.Entry e = Maildrop.read(f);
                    e.message().close();
                    String name = f.getFileName().toString();
                    long millis = Long.parseLong(name.substring(0, name.indexOf('.')));
                    List<QueuedMessage.Recipient> rcpts = new ArrayList<>();
                    for (String r : e.recipients()) {
                        rcpts.add(new QueuedMessage.Recipient(rcpts.size(), r, r, QueuedMessage.Status.PENDING, 0, 0, null,
                                "in maildrop, waiting for jmaild to pick it up"));
                    }
                    listing.add(new QueuedMessage(Long.toHexString(millis * 1000).toUpperCase(Locale.ROOT), millis, e.sender(),
                            Files.size(f), false, false, rcpts), "maildrop");
                } catch (IOException | RuntimeException ignored) {
                    // unreadable files are reported by pickup when it runs
                }
            }
        } catch (IOException ignored) {
            // a maildrop we cannot list has nothing to show
        }
    }

    private static String value(List<String> args, int i) {
        return i < args.size() ? args.get(i) : "";
    }

    private int flush(PrintStream out) throws QueueException {
        int n = store.makeDue(null);
        if (scheduler != null) {
            scheduler.flush();
        }
        out.println("jmailctl: flush: " + n + " recipient(s) made due" + (scheduler == null ? " (jmaild is not running; they go out when it starts)" : ""));
        return Sysexits.OK;
    }

    private interface IdAction {
        int apply(String id) throws QueueException;
    }

    private int each(List<String> args, String done, IdAction action, PrintStream out, PrintStream err) throws QueueException {
        if (args.isEmpty()) {
            err.println("jmailctl: give a queue ID or ALL");
            return Sysexits.USAGE;
        }
        int rc = Sysexits.OK;
        for (String a : args) {
            if (a.equals("ALL")) {
                int n = action.apply(null);
                out.println("jmailctl: " + done + " all (" + n + ")");
                continue;
            }
            String id = a.toUpperCase(Locale.ROOT);
            if (!QueueId.isValid(id) || !store.exists(id)) {
                err.println("jmailctl: " + a + ": no such message in the queue");
                rc = Sysexits.NOINPUT;
                continue;
            }
            action.apply(id);
            MailLog.log("postsuper", id + ": " + done);
            out.println("jmailctl: " + id + ": " + done);
        }
        return rc;
    }

    private int delete(List<String> args, PrintStream out, PrintStream err) throws QueueException {
        List<String> expanded = new ArrayList<>();
        for (String a : args) {
            if (a.equals("ALL")) {
                expanded.addAll(store.ids());
            } else {
                expanded.add(a);
            }
        }
        if (args.isEmpty()) {
            err.println("jmailctl: give a queue ID or ALL");
            return Sysexits.USAGE;
        }
        Set<String> active = scheduler == null ? Set.of() : scheduler.active();
        int rc = Sysexits.OK;
        for (String a : expanded) {
            String id = a.toUpperCase(Locale.ROOT);
            if (active.contains(id)) {
                store.setHeld(id, true);
                err.println("jmailctl: " + id + ": being delivered right now; held instead, delete it again in a moment");
                rc = Sysexits.TEMPFAIL;
                continue;
            }
            if (!QueueId.isValid(id) || !store.remove(id)) {
                err.println("jmailctl: " + a + ": no such message in the queue");
                rc = Sysexits.NOINPUT;
                continue;
            }
            MailLog.log("postsuper", id + ": removed");
            out.println("jmailctl: " + id + ": deleted");
        }
        return rc;
    }

    private int show(List<String> args, PrintStream out, PrintStream err) throws QueueException {
        if (args.size() != 1) {
            err.println("jmailctl: show takes one queue ID");
            return Sysexits.USAGE;
        }
        String id = args.get(0).toUpperCase(Locale.ROOT);
        if (!QueueId.isValid(id) || !store.exists(id)) {
            err.println("jmailctl: " + args.get(0) + ": no such message in the queue");
            return Sysexits.NOINPUT;
        }
        try (InputStream in = store.spool().open(id)) {
            in.transferTo(out);
        } catch (IOException e) {
            err.println("jmailctl: " + id + ": cannot read the message: " + e.getMessage());
            return Sysexits.IOERR;
        }
        out.flush();
        return Sysexits.OK;
    }

    private int status(PrintStream out) throws QueueException {
        long[] counts = store.counts();
        out.println("jmaild: " + (scheduler == null ? "not running" : "running, pid " + ProcessHandle.current().pid()));
        out.println("queue: " + counts[0] + " message(s) waiting, " + counts[1] + " held" + (scheduler == null ? "" : ", " + scheduler.active().size() + " being delivered"));
        long dropped = maildropCount();
        if (dropped > 0) {
            out.println("maildrop: " + dropped + " message(s) not yet picked up" + (scheduler == null ? " (they are queued when jmaild starts)" : ""));
        }
        if (scheduler != null) {
            out.println("last delivery: " + scheduler.lastDelivery());
            out.println("last error: " + scheduler.lastError());
        }
        return Sysexits.OK;
    }

    private long maildropCount() {
        Path dir = Maildrop.directory(store.directory());
        try (java.util.stream.Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> !p.getFileName().toString().startsWith(".") && Files.isRegularFile(p)).count();
        } catch (IOException e) {
            return 0;
        }
    }
}

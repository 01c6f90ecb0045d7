package jmail.submit;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import jmail.mail.MailLog;
import jmail.queue.QueueException;
import jmail.queue.QueueId;
import jmail.queue.QueueStore;
import jmail.queue.Spool;

/**
 * Postfix's pickup: moves maildrop files into the queue. A file is deleted only after its queue
 * transaction is durable; a file that cannot be parsed moves to {@code maildrop/corrupt/} with a log
 * line, so one bad file never blocks the others.
 */
public final class Pickup {
    private final Path dir;
    private final QueueStore store;
    private final RecipientResolver resolver;
    private final Runnable onQueued;

    public Pickup(Path dir, QueueStore store, RecipientResolver resolver, Runnable onQueued) {
        this.dir = dir;
        this.store = store;
        this.resolver = resolver;
        this.onQueued = onQueued;
    }

    /** Imports every complete file now; returns how many were queued. */
    public int scan() {
        int n = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, p -> !p.getFileName().toString().startsWith(".")
                && Files.isRegularFile(p))) {
            for (Path f : files) {
                if (importFile(f)) {
                    n++;
                }
            }
        } catch (IOException e) {
            MailLog.warning("pickup", "cannot read " + dir + ": " + e.getMessage());
        }
        return n;
    }

    private boolean importFile(Path f) {
        Maildrop.Entry entry;
        try {
            entry = Maildrop.read(f);
        } catch (IOException e) {
            quarantine(f, e.getMessage());
            return false;
        }
        String id = QueueId.next(store.clock());
        try (InputStream msg = entry.message(); Spool.Draft draft = store.spool().create(id)) {
            byte[] buf = new byte[65536];
            int r;
            while ((r = msg.read(buf)) > 0) {
                draft.write(buf, 0, r);
            }
            String sender = resolver.qualify(entry.sender());
            String uid = owner(f);
            store.enqueue(draft, sender, resolver.resolve(entry.recipients()), "maildrop");
            Files.delete(f);
            MailLog.log("pickup", id + ": uid=" + uid + " from=<" + sender + ">");
            MailLog.log("qmgr", id + ": from=<" + sender + ">, size=" + draft.size() + ", nrcpt=" + entry.recipients().size() + " (queue active)");
            onQueued.run();
            return true;
        } catch (IOException | QueueException e) {
            MailLog.warning("pickup", "cannot queue " + f.getFileName() + " (will retry): " + e.getMessage());
            return false;
        }
    }

    private static String owner(Path f) {
        try {
            return String.valueOf(Files.getAttribute(f, "unix:uid"));
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    private void quarantine(Path f, String why) {
        try {
            Path corrupt = Files.createDirectories(dir.resolve("corrupt"));
            Files.move(f, corrupt.resolve(f.getFileName()));
            MailLog.warning("pickup", f.getFileName() + ": not a valid maildrop file (" + why + "); moved to " + corrupt);
        } catch (IOException e) {
            MailLog.warning("pickup", f.getFileName() + ": not a valid maildrop file (" + why + ") and cannot move it: " + e.getMessage());
        }
    }
}

package jmail.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The start-up repair: the body's fsync and the rows' fsync run side by side, so after a power cut
 * either may be on disk without the other. Neither case was acknowledged; both are removed.
 */
class QueueStoreRecoveryTest {
    @TempDir
    Path dir;

    private String enqueue(QueueStore store, String body) throws Exception {
        Spool.Draft d = store.spool().create(QueueId.next(Clock.systemUTC()));
        byte[] b = body.getBytes(StandardCharsets.US_ASCII);
        d.write(b, 0, b.length);
        store.enqueue(d, "a@example.com", List.of(new QueueStore.NewRecipient("b@example.net", "b@example.net")), "test");
        return d.id();
    }

    @Test
    void rowsWhoseBodyIsShortOrMissingAreRemovedAndCompleteOnesKept() throws Exception {
        String kept;
        String shortened;
        String missing;
        try (QueueStore store = QueueStore.open(dir, Clock.systemUTC())) {
            kept = enqueue(store, "Subject: kept\r\n\r\nwhole\r\n");
            shortened = enqueue(store, "Subject: short\r\n\r\ncut off\r\n");
            missing = enqueue(store, "Subject: missing\r\n\r\ngone\r\n");
            Files.write(store.spool().path(shortened), new byte[0], StandardOpenOption.TRUNCATE_EXISTING);
            Files.delete(store.spool().path(missing));
        }
        try (QueueStore store = QueueStore.open(dir, Clock.systemUTC())) {
            store.sweepOrphans();
            assertEquals(List.of(kept), store.ids());
            assertEquals("Subject: kept\r\n\r\nwhole\r\n", Files.readString(store.spool().path(kept)));
        }
    }

    @Test
    void bodyWithoutRowsIsRemoved() throws Exception {
        try (QueueStore store = QueueStore.open(dir, Clock.systemUTC())) {
            Files.writeString(store.spool().path("0123456789ABC"), "orphan");
            store.sweepOrphans();
            assertEquals(false, Files.exists(store.spool().path("0123456789ABC")));
        }
    }
}

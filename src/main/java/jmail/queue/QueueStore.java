package jmail.queue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import jmail.mail.MailLog;

/**
 * The queue: envelope and per-recipient state in H2 (through HikariCP), bodies in the {@link Spool}.
 * The only class that runs SQL.
 *
 * <p>Durability: a message is reported stored only after its body file and the directory are fsync'd,
 * its rows committed and H2's store fsync'd ({@code CHECKPOINT SYNC}, group-committed). H2 by itself
 * never fsyncs a commit.
 *
 * <p>SECURITY: the database file is opened by this process only (H2 locks it); no server mode.
 */
public final class QueueStore implements AutoCloseable {
    /*
     * H2's RETENTION_TIME stays at its default (45 s). At 2 s the file stayed at ~6 MB under load, but a
     * kill -9 probe then lost commits that CHECKPOINT SYNC had returned for (2 of 3 kills; 0 of 3 at the
     * default), so the file grows with the mail rate over a 45 s window instead.
     */
    static final long BACKGROUND_SYNC_MILLIS = 500;
    private final HikariDataSource pool;
    private final Spool spool;
    private final Clock clock;
    private final GroupSync groupSync;
    private final Path directory;
    /** Set by commits that nobody waits to see on disk (removals, operator changes). */
    private final AtomicBoolean unsynced = new AtomicBoolean();
    private final Thread backgroundSync;
    /** Stops the background sync without an interrupt, which would close H2's file channel mid-write. */
    private final Object backgroundSyncStop = new Object();
    private boolean stopping;
    /** Runs body fsyncs beside the group commit; one thread per message being accepted at once. */
    private final ExecutorService fsyncs = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "jmail-body-fsync");
        t.setDaemon(true);
        return t;
    });

    private QueueStore(Path directory, HikariDataSource pool, Spool spool, Clock clock) {
        this.directory = directory;
        this.pool = pool;
        this.spool = spool;
        this.clock = clock;
        this.groupSync = new GroupSync(this::checkpointSync);
        this.backgroundSync = new Thread(this::syncUnsyncedCommits, "jmail-queue-sync");
        backgroundSync.setDaemon(true);
        backgroundSync.start();
    }

    /**
     * Commits nobody waited for (delivery results, removals) reach the disk within
     * {@link #BACKGROUND_SYNC_MILLIS}, so a crash forgets at most that much: a redelivery, never a loss.
     */
    private void syncUnsyncedCommits() {
        while (true) {
            synchronized (backgroundSyncStop) {
                try {
                    backgroundSyncStop.wait(BACKGROUND_SYNC_MILLIS);
                } catch (InterruptedException e) {
                    return;
                }
                if (stopping) {
                    return;
                }
            }
            if (unsynced.getAndSet(false)) {
                try {
                    sync();
                } catch (QueueException e) {
                    unsynced.set(true);
                }
            }
        }
    }

    /** Opens (creating if needed) the queue under {@code queue_directory}. */
    public static QueueStore open(Path queueDirectory, Clock clock) throws QueueException {
        try {
            Files.createDirectories(queueDirectory.resolve("db"));
        } catch (IOException e) {
            throw new QueueException("cannot create the queue directory " + queueDirectory + ": " + describe(e), e);
        }
        String url = "jdbc:h2:file:" + queueDirectory.toAbsolutePath().resolve("db").resolve("queue")
                + ";DB_CLOSE_ON_EXIT=FALSE;DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=10000;FILE_LOCK=FS";
        // Open and migrate once without the pool: a locked file then fails at once, where the pool
        // would retry for its whole connection timeout (30 s) before saying so. FILE_LOCK=FS is an OS
        // lock that dies with its process, so a restart right after kill -9 is not refused as H2's
        // default lock file (watched for seconds before it counts as stale) would be.
        openAndMigrate(url, queueDirectory);
        HikariConfig hc = new HikariConfig();
        hc.setPoolName("jmail-queue");
        hc.setJdbcUrl(url);
        hc.setUsername("sa");
        hc.setPassword("");
        hc.setAutoCommit(false);
        hc.setMaximumPoolSize(6);
        hc.setMinimumIdle(1);
        hc.setMaxLifetime(0);
        hc.setIdleTimeout(0);
        hc.setConnectionTimeout(30_000);
        hc.setInitializationFailTimeout(-1);
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(hc);
        } catch (RuntimeException e) {
            throw new QueueException(describeOpenFailure(queueDirectory, e), e);
        }
        try {
            Spool spool = new Spool(queueDirectory);
            spool.sweepIncoming();
            return new QueueStore(queueDirectory, pool, spool, clock);
        } catch (IOException e) {
            pool.close();
            throw new QueueException("cannot use the queue directory " + queueDirectory + ": " + describe(e), e);
        }
    }

    /** Java names only the file for a refused write; say what went wrong as well. */
    static String describe(IOException e) {
        if (e instanceof java.nio.file.AccessDeniedException) {
            return e.getMessage() + ": permission denied";
        }
        if (e instanceof java.nio.file.FileSystemException fse && fse.getReason() != null) {
            return fse.getFile() + ": " + fse.getReason();
        }
        return e.getMessage();
    }

    /** A lock still held by a process that is just dying (kill -9, then an immediate restart) gets a few seconds. */
    private static void openAndMigrate(String url, Path queueDirectory) throws QueueException {
        long giveUp = System.nanoTime() + LOCKED_RETRY_NANOS;
        while (true) {
            try (Connection c = java.sql.DriverManager.getConnection(url, "sa", "")) {
                c.setAutoCommit(false);
                Schema.migrate(c);
                return;
            } catch (SQLException e) {
                String why = describeOpenFailure(queueDirectory, e);
                if (!why.contains("in use by another process") || System.nanoTime() > giveUp) {
                    throw new QueueException(why, e);
                }
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new QueueException("interrupted while opening the queue in " + queueDirectory, e);
            }
        }
    }

    private static final long LOCKED_RETRY_NANOS = 5_000_000_000L;

    private static String describeOpenFailure(Path dir, Exception e) {
        String text = String.valueOf(e.getMessage());
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
            text = text + " " + t.getMessage();
        }
        if (text.contains("already in use") || text.contains("90020")) {
            return "the queue database in " + dir + " is in use by another process (is jmaild already running?)";
        }
        if (text.contains("ermission") || text.contains("Read-only") || text.contains("read only")) {
            return "cannot open the queue database in " + dir + ": permission denied";
        }
        return "cannot open the queue database in " + dir + ": " + text.replaceAll("\\s+", " ");
    }

    public Path directory() {
        return directory;
    }

    public Spool spool() {
        return spool;
    }

    public Clock clock() {
        return clock;
    }

    // ---------------------------------------------------------------- enqueue

    /** One recipient as it enters the queue: the address to deliver to and the one the client gave. */
    public record NewRecipient(String address, String original) {
    }

    /**
     * Stores a received message: commits the body, inserts its rows, and returns only once all of it is
     * on disk. The draft's ID becomes the queue ID.
     */
    public void enqueue(Spool.Draft body, String sender, List<NewRecipient> recipients, String client) throws QueueException {
        long now = clock.millis();
        try {
            body.flushAndRename();
        } catch (IOException e) {
            body.abort();
            throw new QueueException("cannot store message body: " + e.getMessage(), e);
        }
        Future<?> bodyDurable = fsyncs.submit(() -> {
            body.forceAndClose();
            return null;
        });
        try {
            try {
                insertRows(body, sender, recipients, client, now);
            } catch (SQLException e) {
                if (!reopenIfClosed(e)) {
                    throw e;
                }
                insertRows(body, sender, recipients, client, now);
            }
        } catch (SQLException e) {
            awaitQuietly(bodyDurable);
            spool.delete(body.id());
            throw new QueueException("cannot record message in the queue: " + e.getMessage(), e);
        }
        try {
            sync();
            bodyDurable.get();
        } catch (InterruptedException | ExecutionException | QueueException e) {
            awaitQuietly(bodyDurable);
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            try {
                remove(body.id());
            } catch (QueueException ignored) {
                // the start-up check drops rows whose body is not complete
            }
            throw new QueueException("cannot store message body: " + cause.getMessage(), cause);
        }
    }

    private void insertRows(Spool.Draft body, String sender, List<NewRecipient> recipients, String client, long now) throws SQLException {
        try (Connection c = pool.getConnection()) {
            try (PreparedStatement m = c.prepareStatement("INSERT INTO message (id, arrived_at, sender, size, client) VALUES (?,?,?,?,?)");
                 PreparedStatement r = c.prepareStatement("INSERT INTO recipient (message_id, rcpt_no, address, original, next_attempt_at) VALUES (?,?,?,?,?)")) {
                m.setString(1, body.id());
                m.setLong(2, now);
                m.setString(3, sender);
                m.setLong(4, body.size());
                m.setString(5, client);
                m.executeUpdate();
                int n = 0;
                for (NewRecipient rcpt : recipients) {
                    r.setString(1, body.id());
                    r.setInt(2, n++);
                    r.setString(3, rcpt.address());
                    r.setString(4, rcpt.original());
                    r.setLong(5, now);
                    r.addBatch();
                }
                r.executeBatch();
                c.commit();
            } catch (SQLException e) {
                rollback(c);
                throw e;
            }
        }
    }

    private static void awaitQuietly(Future<?> f) {
        try {
            f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException ignored) {
            // reported by the caller's own failure
        }
    }

    /** Waits until everything committed so far is fsync'd (group commit). */
    public void sync() throws QueueException {
        try {
            groupSync.await();
        } catch (Exception e) {
            throw new QueueException("cannot sync the queue to disk: " + e.getMessage(), e);
        }
    }

    /** One group's fsyncs: the renames into the spool first, then H2's rows that point at them. */
    private void checkpointSync() throws SQLException, IOException {
        spool.syncMessagesDirectory();
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            s.execute("CHECKPOINT SYNC");
        } catch (SQLException e) {
            reopenIfClosed(e);
            throw e;
        }
    }

    /**
     * H2 closes the whole database when a write fails (a full disk), and every pooled connection
     * stays dead. Evicting them makes the next connection open the file again, from its last stored
     * state, which holds every acknowledged message (each was fsync'd before its 250).
     */
    private boolean reopenIfClosed(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && (sql.getErrorCode() == H2_DATABASE_IS_CLOSED
                    || sql.getErrorCode() == H2_DATABASE_CALLED_AT_SHUTDOWN)) {
                MailLog.warning("queue", "the queue database was closed after a failed write; reopening it");
                pool.getHikariPoolMXBean().softEvictConnections();
                return true;
            }
        }
        return false;
    }

    private static final int H2_DATABASE_IS_CLOSED = 90098;
    private static final int H2_DATABASE_CALLED_AT_SHUTDOWN = 90121;

    // ---------------------------------------------------------------- delivery side

    /** IDs of messages with a recipient due now, oldest first, leaving out {@code busy} ones. */
    public List<String> due(int limit, Set<String> busy) throws QueueException {
        int want = Math.max(1, limit);
        // Fast path: walk the (status, next_attempt_at) index in order and stop early. The GROUP BY form
        // reads every due row, which made each scheduling pass O(queue size) (200 ms at 100,000).
        int window = (want + busy.size()) * SCAN_WINDOW_FACTOR;
        List<String> ids = new ArrayList<>();
        boolean windowFull = scanDueWindow(window, busy, want, ids);
        if (ids.size() < want && windowFull) {
            return dueByGroup(want, busy);
        }
        return ids;
    }

    private static final int SCAN_WINDOW_FACTOR = 8;
    private static final String PENDING_BY_TIME = "SELECT r.message_id, r.next_attempt_at FROM recipient r JOIN message m "
            + "ON m.id = r.message_id WHERE r.status = 'PENDING' AND NOT m.held ";

    /** Adds up to {@code want} distinct due IDs; true if the window was used up (so more may exist). */
    private boolean scanDueWindow(int window, Set<String> busy, int want, List<String> ids) throws QueueException {
        String sql = PENDING_BY_TIME + "AND r.next_attempt_at <= ? ORDER BY r.status, r.next_attempt_at FETCH FIRST " + window + " ROWS ONLY";
        int rows = 0;
        try (Connection c = pool.getConnection(); PreparedStatement p = c.prepareStatement(sql)) {
            p.setLong(1, clock.millis());
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next() && ids.size() < want) {
                    rows++;
                    String id = rs.getString(1);
                    if (!busy.contains(id) && !ids.contains(id)) {
                        ids.add(id);
                    }
                }
            }
            c.commit();
        } catch (SQLException e) {
            reopenIfClosed(e);
            throw new QueueException("cannot read the queue: " + e.getMessage(), e);
        }
        return rows >= window;
    }

    private List<String> dueByGroup(int limit, Set<String> busy) throws QueueException {
        String sql = "SELECT r.message_id, MIN(r.next_attempt_at) t FROM recipient r JOIN message m ON m.id = r.message_id "
                + "WHERE r.status = 'PENDING' AND r.next_attempt_at <= ? AND NOT m.held" + notIn(busy)
                + " GROUP BY r.message_id ORDER BY t, r.message_id FETCH FIRST " + limit + " ROWS ONLY";
        List<String> ids = new ArrayList<>();
        try (Connection c = pool.getConnection(); PreparedStatement p = c.prepareStatement(sql)) {
            p.setLong(1, clock.millis());
            bind(p, 2, busy);
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
            c.commit();
        } catch (SQLException e) {
            reopenIfClosed(e);
            throw new QueueException("cannot read the queue: " + e.getMessage(), e);
        }
        return ids;
    }

    /** When the next pending, unheld recipient outside {@code busy} falls due (epoch millis), if any. */
    public Optional<Long> nextDue(Set<String> busy) throws QueueException {
        int window = (busy.size() + 1) * SCAN_WINDOW_FACTOR;
        String sql = PENDING_BY_TIME + "ORDER BY r.status, r.next_attempt_at FETCH FIRST " + window + " ROWS ONLY";
        int rows = 0;
        try (Connection c = pool.getConnection(); PreparedStatement p = c.prepareStatement(sql)) {
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    rows++;
                    if (!busy.contains(rs.getString(1))) {
                        long t = rs.getLong(2);
                        c.commit();
                        return Optional.of(t);
                    }
                }
            }
            c.commit();
        } catch (SQLException e) {
            reopenIfClosed(e);
            throw new QueueException("cannot read the queue: " + e.getMessage(), e);
        }
        return rows >= window ? nextDueByMin(busy) : Optional.empty();
    }

    private Optional<Long> nextDueByMin(Set<String> busy) throws QueueException {
        String sql = "SELECT MIN(r.next_attempt_at) FROM recipient r JOIN message m ON m.id = r.message_id "
                + "WHERE r.status = 'PENDING' AND NOT m.held" + notIn(busy);
        try (Connection c = pool.getConnection(); PreparedStatement p = c.prepareStatement(sql)) {
            bind(p, 1, busy);
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
                long t = rs.getLong(1);
                boolean none = rs.wasNull();
                c.commit();
                return none ? Optional.empty() : Optional.of(t);
            }
        } catch (SQLException e) {
            reopenIfClosed(e);
            throw new QueueException("cannot read the queue: " + e.getMessage(), e);
        }
    }

    private static String notIn(Set<String> ids) {
        return ids.isEmpty() ? "" : " AND r.message_id NOT IN (" + String.join(",", java.util.Collections.nCopies(ids.size(), "?")) + ")";
    }

    private static void bind(PreparedStatement p, int first, Set<String> ids) throws SQLException {
        int i = first;
        for (String id : ids) {
            p.setString(i++, id);
        }
    }

    public Optional<QueuedMessage> load(String id) throws QueueException {
        List<QueuedMessage> found = new ArrayList<>();
        scan("WHERE m.id = ?", List.of(id), Set.of(), found::add);
        return found.stream().findFirst();
    }

    /** The result of one attempt for one recipient, with when to try again if it was deferred. */
    public record Result(int rcptNumber, QueuedMessage.Status status, String dsnStatus, String reason, long nextAttemptAt) {
    }

    /**
     * Records an attempt's results in one transaction. It does not wait for the fsync: the background
     * sync makes it durable within about a second. Losing it (power cut, or kill -9 before H2 wrote
     * it) means one more attempt, so at worst a duplicate, never a lost message; this is Postfix's
     * trade too. Waiting put a CHECKPOINT SYNC on every delivery and made accepts queue behind it.
     */
    public void record(String id, Collection<Result> results) throws QueueException {
        long now = clock.millis();
        String sql = "UPDATE recipient SET status = ?, attempts = attempts + 1, last_attempt_at = ?, dsn_status = ?, "
                + "last_reason = ?, next_attempt_at = ? WHERE message_id = ? AND rcpt_no = ? AND status = 'PENDING'";
        try (Connection c = pool.getConnection(); PreparedStatement p = c.prepareStatement(sql)) {
            for (Result r : results) {
                p.setString(1, r.status().name());
                p.setLong(2, now);
                p.setString(3, r.dsnStatus());
                p.setString(4, truncate(r.reason(), 2000));
                p.setLong(5, r.nextAttemptAt());
                p.setString(6, id);
                p.setInt(7, r.rcptNumber());
                p.addBatch();
            }
            p.executeBatch();
            c.commit();
        } catch (SQLException e) {
            reopenIfClosed(e);
            throw new QueueException("cannot record delivery results for " + id + ": " + e.getMessage(), e);
        }
        unsynced.set(true);
    }

    /** Removes a message and its body (delivered, bounced or deleted by the operator). */
    public boolean remove(String id) throws QueueException {
        int n;
        try (Connection c = pool.getConnection();
             PreparedStatement r = c.prepareStatement("DELETE FROM recipient WHERE message_id = ?");
             PreparedStatement m = c.prepareStatement("DELETE FROM message WHERE id = ?")) {
            r.setString(1, id);
            r.executeUpdate();
            m.setString(1, id);
            n = m.executeUpdate();
            c.commit();
            unsynced.set(true);
        } catch (SQLException e) {
            reopenIfClosed(e);
            throw new QueueException("cannot remove " + id + ": " + e.getMessage(), e);
        }
        spool.delete(id);
        return n > 0;
    }

    /** Marks that the delay notice went out; true only for the one call that changed it. */
    public boolean markWarned(String id) throws QueueException {
        return update("UPDATE message SET warned = TRUE WHERE id = ? AND NOT warned", id) > 0;
    }

    /** Who handed the message in ({@code local}, a client address, {@code bounce}, ...), if it is queued. */
    public Optional<String> client(String id) throws QueueException {
        try (Connection c = pool.getConnection(); PreparedStatement p = c.prepareStatement("SELECT client FROM message WHERE id = ?")) {
            p.setString(1, id);
            try (ResultSet rs = p.executeQuery()) {
                Optional<String> out = rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty();
                c.commit();
                return out;
            }
        } catch (SQLException e) {
            throw new QueueException("cannot read the queue: " + e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------- operator side

    /** Streams every message (or those matching the filter) in arrival order. */
    public void forEach(Set<String> active, Consumer<QueuedMessage> sink) throws QueueException {
        scan("", List.of(), active, sink);
    }

    /** Holds, releases or requeues one message ({@code id}) or all ({@code null}); returns how many changed. */
    public int setHeld(String id, boolean held) throws QueueException {
        return id == null ? update("UPDATE message SET held = " + held + " WHERE held <> " + held, null)
                : update("UPDATE message SET held = " + held + " WHERE id = ?", id);
    }

    /** Makes pending recipients due now: one message, or every message when {@code id} is null. */
    public int makeDue(String id) throws QueueException {
        String base = "UPDATE recipient SET next_attempt_at = " + clock.millis() + " WHERE status = 'PENDING'";
        return id == null ? update(base, null) : update(base + " AND message_id = ?", id);
    }

    public List<String> ids() throws QueueException {
        List<String> out = new ArrayList<>();
        forEach(Set.of(), m -> out.add(m.id()));
        return out;
    }

    public boolean exists(String id) throws QueueException {
        return load(id).isPresent();
    }

    /** Counts messages: pending (not held), held. */
    public long[] counts() throws QueueException {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*), COALESCE(SUM(CASE WHEN held THEN 1 ELSE 0 END), 0) FROM message")) {
            rs.next();
            long total = rs.getLong(1);
            long held = rs.getLong(2);
            c.commit();
            return new long[] {total - held, held};
        } catch (SQLException e) {
            reopenIfClosed(e);
            throw new QueueException("cannot read the queue: " + e.getMessage(), e);
        }
    }

    private int update(String sql, String id) throws QueueException {
        try (Connection c = pool.getConnection(); PreparedStatement p = c.prepareStatement(sql)) {
            if (id != null) {
                p.setString(1, id);
            }
            int n = p.executeUpdate();
            c.commit();
            unsynced.set(true);
            return n;
        } catch (SQLException e) {
            reopenIfClosed(e);
            throw new QueueException("cannot update the queue: " + e.getMessage(), e);
        }
    }

    private void scan(String where, List<String> args, Set<String> active, Consumer<QueuedMessage> sink) throws QueueException {
        String sql = "SELECT m.id, m.arrived_at, m.sender, m.size, m.held, r.rcpt_no, r.address, r.original, r.status, "
                + "r.attempts, r.next_attempt_at, r.dsn_status, r.last_reason FROM message m LEFT JOIN recipient r "
                + "ON r.message_id = m.id " + where + " ORDER BY m.arrived_at, m.id, r.rcpt_no";
        try (Connection c = pool.getConnection(); PreparedStatement p = c.prepareStatement(sql)) {
            p.setFetchSize(1000);
            for (int i = 0; i < args.size(); i++) {
                p.setString(i + 1, args.get(i));
            }
            try (ResultSet rs = p.executeQuery()) {
                String current = null;
                Object[] head = null;
                List<QueuedMessage.Recipient> rcpts = new ArrayList<>();
                while (rs.next()) {
                    String id = rs.getString(1);
                    if (!id.equals(current)) {
                        emit(head, rcpts, active, sink);
                        current = id;
                        head = new Object[] {id, rs.getLong(2), rs.getString(3), rs.getLong(4), rs.getBoolean(5)};
                        rcpts = new ArrayList<>();
                    }
                    if (rs.getString(7) != null) {
                        rcpts.add(new QueuedMessage.Recipient(rs.getInt(6), rs.getString(7), rs.getString(8),
                                QueuedMessage.Status.valueOf(rs.getString(9)), rs.getInt(10), rs.getLong(11),
                                rs.getString(12), rs.getString(13)));
                    }
                }
                emit(head, rcpts, active, sink);
            }
            c.commit();
        } catch (SQLException e) {
            reopenIfClosed(e);
            throw new QueueException("cannot read the queue: " + e.getMessage(), e);
        }
    }

    private static void emit(Object[] head, List<QueuedMessage.Recipient> rcpts, Set<String> active, Consumer<QueuedMessage> sink) {
        if (head != null) {
            String id = (String) head[0];
            sink.accept(new QueuedMessage(id, (Long) head[1], (String) head[2], (Long) head[3], (Boolean) head[4],
                    active.contains(id), List.copyOf(rcpts)));
        }
    }

    private static void rollback(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the connection is discarded by the pool on its next validation
        }
    }

    private static String truncate(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }

    /**
     * Start-up repair after a crash: removes bodies whose rows never committed, and rows whose body is
     * missing or short. Neither was ever acknowledged: the 250 waits for the body's fsync and the
     * rows' fsync, which run side by side, so a power cut can leave one without the other.
     */
    public void sweepOrphans() throws QueueException {
        Map<String, Long> sizes = new java.util.HashMap<>();
        forEach(Set.of(), m -> sizes.put(m.id(), m.size()));
        for (Map.Entry<String, Long> e : sizes.entrySet()) {
            if (spool.storedSize(e.getKey()) != e.getValue()) {
                MailLog.warning("queue", e.getKey() + ": body missing or incomplete after a crash; "
                        + "it was never acknowledged, removing it");
                remove(e.getKey());
            }
        }
        try {
            Set<String> known = sizes.keySet();
            for (String id : (Iterable<String>) spool.storedIds()::iterator) {
                if (!known.contains(id)) {
                    spool.delete(id);
                }
            }
        } catch (IOException e) {
            throw new QueueException("cannot sweep the spool: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        synchronized (backgroundSyncStop) {
            stopping = true;
            backgroundSyncStop.notifyAll();
        }
        try {
            backgroundSync.join(60_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        fsyncs.shutdown();
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            s.execute("SHUTDOWN");
        } catch (SQLException ignored) {
            // closing anyway
        }
        pool.close();
    }

}

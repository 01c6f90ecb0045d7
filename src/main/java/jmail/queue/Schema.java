package jmail.queue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The queue's tables, versioned: each upgrade step runs once, in order, inside a transaction, so an
 * upgrade never drops queued mail. Add a step; never edit one that has shipped.
 */
final class Schema {
    private static final List<List<String>> STEPS = List.of(
            List.of(
                    "CREATE TABLE message (id VARCHAR(32) PRIMARY KEY, arrived_at BIGINT NOT NULL, "
                            + "sender VARCHAR(1024) NOT NULL, size BIGINT NOT NULL, held BOOLEAN DEFAULT FALSE NOT NULL, "
                            + "client VARCHAR(256), warned BOOLEAN DEFAULT FALSE NOT NULL)",
                    "CREATE TABLE recipient (message_id VARCHAR(32) NOT NULL, rcpt_no INT NOT NULL, "
                            + "address VARCHAR(1024) NOT NULL, original VARCHAR(1024) NOT NULL, "
                            + "status VARCHAR(8) DEFAULT 'PENDING' NOT NULL, attempts INT DEFAULT 0 NOT NULL, "
                            + "next_attempt_at BIGINT NOT NULL, last_attempt_at BIGINT, dsn_status VARCHAR(16), "
                            + "last_reason VARCHAR(2048), PRIMARY KEY (message_id, rcpt_no))",
                    "CREATE INDEX recipient_due ON recipient (status, next_attempt_at)"));

    static final int VERSION = STEPS.size();

    private Schema() {
    }

    static void migrate(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS schema_version (version INT NOT NULL)");
            int current = 0;
            try (ResultSet rs = s.executeQuery("SELECT MAX(version) FROM schema_version")) {
                if (rs.next()) {
                    current = rs.getInt(1);
                }
            }
            if (current > VERSION) {
                throw new SQLException("the queue was written by a newer jmail (schema " + current
                        + ", this one knows " + VERSION + "); upgrade jmail rather than downgrade");
            }
            for (int v = current; v < VERSION; v++) {
                for (String sql : STEPS.get(v)) {
                    s.execute(sql);
                }
                s.execute("INSERT INTO schema_version VALUES (" + (v + 1) + ")");
            }
            c.commit();
        }
    }
}

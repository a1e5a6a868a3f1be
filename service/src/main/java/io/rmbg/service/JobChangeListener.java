package io.rmbg.service;

import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Listens for the {@code rmbg_job_changes} notifications that sql/schema.sql's trigger sends on
 * every write to a job row, and invalidates the cache's entries for that job and user. While it is
 * not connected {@link #listening()} is false and the cache is bypassed; on every (re)connect it
 * starts a new cache epoch, because notifications sent while it was away are lost.
 */
final class JobChangeListener implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JobChangeListener.class);
    static final String CHANNEL = "rmbg_job_changes";

    private final String url;
    private final String user;
    private final String password;
    private final ResultCache cache;
    private final Thread thread;
    private volatile boolean listening;
    private volatile boolean closed;
    private volatile Connection connection;

    JobChangeListener(String url, String user, String password, ResultCache cache) {
        this.url = url;
        this.user = user;
        this.password = password;
        this.cache = cache;
        this.thread = new Thread(this::run, "rmbg-job-changes");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    boolean listening() {
        return listening;
    }

    private void run() {
        boolean warned = false;
        while (!closed) {
            try (Connection c = DriverManager.getConnection(url, user, password)) {
                connection = c;
                try (Statement s = c.createStatement()) {
                    s.execute("LISTEN " + CHANNEL);
                }
                cache.invalidateAll();
                listening = true;
                warned = false;
                PGConnection pg = c.unwrap(PGConnection.class);
                while (!closed) {
                    PGNotification[] batch = pg.getNotifications(500);
                    if (batch == null) {
                        continue;
                    }
                    for (PGNotification n : batch) {
                        String payload = n.getParameter();
                        int space = payload.indexOf(' ');
                        if (space > 0) {
                            cache.invalidate(
                                    payload.substring(0, space), payload.substring(space + 1));
                        }
                    }
                }
            } catch (SQLException e) {
                listening = false;
                if (!closed && !warned) {
                    LOG.warn(
                            "not listening for job changes ({}): cache bypassed until PostgreSQL"
                                    + " answers",
                            e.getMessage());
                    warned = true;
                }
                sleep();
            }
        }
        listening = false;
    }

    /** Waits until the first LISTEN is in place (or the timeout), so a fresh service caches. */
    void awaitListening(long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (!listening && System.currentTimeMillis() < deadline) {
            Thread.sleep(10);
        }
    }

    private void sleep() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        }
    }

    @Override
    public void close() {
        closed = true;
        listening = false;
        Connection c = connection;
        if (c != null) {
            ConnectionPool.closeQuietly(c);
        }
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

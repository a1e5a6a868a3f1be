package io.rmbg.service;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * A few reusable JDBC connections: opening one costs more than most of the service's queries. A
 * connection that failed a statement is closed instead of returned (the caller says so).
 */
final class ConnectionPool implements AutoCloseable {
    private final String url;
    private final String user;
    private final String password;
    private final BlockingQueue<Connection> idle;

    ConnectionPool(String url, String user, String password, int size) {
        this.url = url;
        this.user = user;
        this.password = password;
        this.idle = new ArrayBlockingQueue<>(size);
    }

    Connection borrow() throws SQLException {
        Connection c;
        while ((c = idle.poll()) != null) {
            if (!c.isClosed()) {
                return c;
            }
        }
        c = DriverManager.getConnection(url, user, password);
        c.setReadOnly(true); // the service only reads; a bug cannot write through it
        return c;
    }

    /** Returns a healthy connection; {@code broken}: close it instead. */
    void release(Connection c, boolean broken) {
        if (c == null) {
            return;
        }
        if (broken || !idle.offer(c)) {
            closeQuietly(c);
        }
    }

    static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // closing a broken connection has nothing to report
        }
    }

    @Override
    public void close() {
        Connection c;
        while ((c = idle.poll()) != null) {
            closeQuietly(c);
        }
    }
}

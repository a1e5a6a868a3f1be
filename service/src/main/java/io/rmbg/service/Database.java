package io.rmbg.service;

import java.sql.Connection;
import java.sql.SQLException;

/** Runs one unit of work on a pooled connection; a failed one closes its connection. */
final class Database implements AutoCloseable {
    interface Work<T> {
        T apply(Connection c) throws SQLException, ApiException;
    }

    private final ConnectionPool pool;

    Database(ConnectionPool pool) {
        this.pool = pool;
    }

    <T> T query(Work<T> work) throws SQLException, ApiException {
        Connection c = pool.borrow();
        boolean broken = true;
        try {
            T result = work.apply(c);
            broken = false;
            return result;
        } catch (ApiException e) {
            broken = false;
            throw e;
        } finally {
            pool.release(c, broken);
        }
    }

    @Override
    public void close() {
        pool.close();
    }
}

package io.rmbg.core.reuse;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/** A result reuse index in a map, for tests without PostgreSQL; can be switched unreachable. */
public final class InMemoryResultIndex implements ResultIndex {
    public final Map<String, ReusableResult> entries = new ConcurrentHashMap<>();
    public final AtomicBoolean unreachable = new AtomicBoolean();
    public volatile int finds;
    public volatile boolean closed;

    @Override
    public Optional<ReusableResult> find(String key) {
        check();
        finds++;
        return Optional.ofNullable(entries.get(key));
    }

    @Override
    public void remember(String key, ReusableResult result) {
        check();
        entries.put(key, result);
    }

    @Override
    public void forget(String key) {
        check();
        entries.remove(key);
    }

    private void check() {
        if (unreachable.get()) {
            throw new ResultIndexException(
                    "index unreachable", new java.sql.SQLException("connection refused"));
        }
    }

    @Override
    public void close() {
        closed = true;
    }
}

package io.rmbg.core.reuse;

import java.io.Serializable;

/** Opens a slot's {@link ResultIndex}; travels to the TaskManagers with the Flink function. */
@FunctionalInterface
public interface ResultIndexFactory extends Serializable {
    ResultIndex create();

    /** The {@code result_reuse} table of the job's PostgreSQL database. */
    static ResultIndexFactory jdbc(String url, String user, String password) {
        return () -> new JdbcResultIndex(url, user, password);
    }
}

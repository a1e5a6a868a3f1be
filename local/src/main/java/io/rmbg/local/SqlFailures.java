package io.rmbg.local;

import io.rmbg.job.config.PipelineConfig;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns a failed statement's exception into one readable sentence. Flink wraps a job's failure in
 * several layers ("Job execution failed", "Recovery is suppressed", …); the cause at the bottom is
 * what the user can act on.
 */
final class SqlFailures {
    private SqlFailures() {}

    static String explain(Throwable e, PipelineConfig config) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable t = e; t != null && !chain.contains(t); t = t.getCause()) {
            chain.add(t);
        }
        for (Throwable t : chain) {
            String name = t.getClass().getName();
            String message = String.valueOf(t.getMessage());
            if (name.equals("org.postgresql.util.PSQLException")) {
                if (message.contains("does not exist")) {
                    return message
                            + " — apply sql/schema.sql to the database (bin/rmbg local does it on start)";
                }
                if (message.contains("Connection") && message.contains("refused")) {
                    return "cannot reach PostgreSQL at "
                            + config.jdbc().url()
                            + ": "
                            + SqlEndpoints.ADVICE;
                }
                return message;
            }
            if (t instanceof java.net.ConnectException) {
                return "cannot connect (" + message + "): " + SqlEndpoints.ADVICE;
            }
            if (name.startsWith("org.apache.flink.table.api.")
                            && name.endsWith("ValidationException")
                    || name.equals("org.apache.flink.table.api.SqlParserException")) {
                // The planner's own message names the column, function or table; a cause with a
                // different message says why (a function class that cannot load, say).
                Throwable root = chain.get(chain.size() - 1);
                String why = String.valueOf(root.getMessage());
                return root == t || message.contains(why) ? message : message + " — " + why;
            }
        }
        Throwable root = chain.get(chain.size() - 1);
        String top = String.valueOf(e.getMessage());
        String bottom = root.getClass().getSimpleName() + ": " + root.getMessage();
        return root == e ? bottom : top + " — caused by " + bottom;
    }
}

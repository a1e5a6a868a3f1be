package io.rmbg.job.config;

import org.apache.flink.configuration.ConfigOption;

import java.io.Serializable;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.apache.flink.configuration.ConfigOptions.key;

/**
 * {@code jdbc.*}: the PostgreSQL database the sinks write, how they batch, and how long they wait
 * for it.
 *
 * <p>The three timeouts turn a database that hangs (a network black hole, a lock held by another
 * transaction) into an error the sink can retry and the job can restart from, instead of a task
 * that waits for ever and a checkpoint that never completes:
 *
 * @param connectTimeout how long opening a TCP connection may take (0: the operating system's)
 * @param socketTimeout how long a read from an open connection may block (0: for ever); longer than
 *     {@code statementTimeout}, so that a slow statement is cancelled by the server, with a clear
 *     error, before the socket gives up on a healthy connection
 * @param statementTimeout how long one statement may run, lock waits included (0: unlimited),
 *     enforced by PostgreSQL ({@code statement_timeout})
 * @param reconcileStatementTimeout the same for the statistics' recomputation of a whole day from
 *     the rows ({@code ReconcileDayStatement}), an aggregate over a day's rows rather than a batch
 *     of upserts
 */
public record JdbcSettings(
        String url,
        String user,
        String password,
        int batchSize,
        long batchIntervalMs,
        int maxRetries,
        Duration connectTimeout,
        Duration socketTimeout,
        Duration statementTimeout,
        Duration reconcileStatementTimeout)
        implements Serializable {

    public static final ConfigOption<String> URL =
            key(ConfigKeys.JDBC_URL)
                    .stringType()
                    .defaultValue("jdbc:postgresql://localhost:5432/rmbg");
    public static final ConfigOption<String> USER =
            key(ConfigKeys.JDBC_USER).stringType().defaultValue("rmbg");
    public static final ConfigOption<String> PASSWORD =
            key(ConfigKeys.JDBC_PASSWORD).stringType().defaultValue("rmbg");
    public static final ConfigOption<Integer> BATCH_SIZE =
            key(ConfigKeys.JDBC_BATCH_SIZE).intType().defaultValue(100);
    public static final ConfigOption<Long> BATCH_INTERVAL_MS =
            key(ConfigKeys.JDBC_BATCH_INTERVAL_MS).longType().defaultValue(200L);
    public static final ConfigOption<Integer> MAX_RETRIES =
            key(ConfigKeys.JDBC_MAX_RETRIES).intType().defaultValue(5);

    /** pgjdbc's own default: a database that does not answer a SYN in 10 s is not coming. */
    public static final ConfigOption<Long> CONNECT_TIMEOUT_MS =
            key(ConfigKeys.JDBC_CONNECT_TIMEOUT_MS).longType().defaultValue(10_000L);

    /**
     * Twice the statement timeout: a statement the server cancels at 30 s is answered well within
     * it, so only a connection that no longer carries packets reaches it.
     */
    public static final ConfigOption<Long> SOCKET_TIMEOUT_MS =
            key(ConfigKeys.JDBC_SOCKET_TIMEOUT_MS).longType().defaultValue(60_000L);

    /**
     * A batch of upserts takes milliseconds; 30 s is far above any healthy batch (and above
     * autovacuum's brief locks) yet short next to the 5 min checkpoint timeout, so a lock held by a
     * forgotten transaction fails the flush while the checkpoint can still succeed after a restart.
     */
    public static final ConfigOption<Long> STATEMENT_TIMEOUT_MS =
            key(ConfigKeys.JDBC_STATEMENT_TIMEOUT_MS).longType().defaultValue(30_000L);

    /**
     * Recomputing a day reads all of that day's rows, so its time grows with the day's jobs, unlike
     * a batch of upserts; too short a limit would fail the same recomputation after every restart.
     * 2 min, so that its socket timeout (30 s more) stays below Flink's {@code
     * task.cancellation.timeout} (3 min): a task blocked on a dead connection must still be
     * cancellable, or Flink stops the whole TaskManager.
     */
    public static final ConfigOption<Long> RECONCILE_STATEMENT_TIMEOUT_MS =
            key(ConfigKeys.JDBC_RECONCILE_STATEMENT_TIMEOUT_MS).longType().defaultValue(120_000L);

    static final List<ConfigOption<?>> OPTIONS =
            List.of(
                    URL,
                    USER,
                    PASSWORD,
                    BATCH_SIZE,
                    BATCH_INTERVAL_MS,
                    MAX_RETRIES,
                    CONNECT_TIMEOUT_MS,
                    SOCKET_TIMEOUT_MS,
                    STATEMENT_TIMEOUT_MS,
                    RECONCILE_STATEMENT_TIMEOUT_MS);

    static JdbcSettings from(SettingValues values) {
        Duration socket = Duration.ofMillis(values.nonNegative(SOCKET_TIMEOUT_MS));
        Duration statement = Duration.ofMillis(values.nonNegative(STATEMENT_TIMEOUT_MS));
        if (!socket.isZero() && (statement.isZero() || socket.compareTo(statement) <= 0)) {
            throw new IllegalArgumentException(
                    ConfigKeys.JDBC_SOCKET_TIMEOUT_MS
                            + " ("
                            + socket.toMillis()
                            + ") must be longer than "
                            + ConfigKeys.JDBC_STATEMENT_TIMEOUT_MS
                            + " ("
                            + statement.toMillis()
                            + "), or the socket gives up on a statement PostgreSQL is still"
                            + " running; raise the socket timeout or set it to 0");
        }
        return new JdbcSettings(
                values.get(URL),
                values.get(USER),
                values.get(PASSWORD),
                values.positive(BATCH_SIZE),
                values.get(BATCH_INTERVAL_MS),
                values.get(MAX_RETRIES),
                Duration.ofMillis(values.nonNegative(CONNECT_TIMEOUT_MS)),
                socket,
                statement,
                Duration.ofMillis(values.nonNegative(RECONCILE_STATEMENT_TIMEOUT_MS)));
    }

    /**
     * These settings for the day recomputation's connection: its statement timeout, and a socket
     * timeout with the same margin over it as {@code jdbc.socket-timeout-ms} has over {@code
     * jdbc.statement-timeout-ms} (none when either is off).
     */
    public JdbcSettings forReconcile() {
        Duration socket =
                socketTimeout.isZero() || reconcileStatementTimeout.isZero()
                        ? Duration.ZERO
                        : reconcileStatementTimeout.plus(socketTimeout.minus(statementTimeout));
        return new JdbcSettings(
                url,
                user,
                password,
                batchSize,
                batchIntervalMs,
                maxRetries,
                connectTimeout,
                socket,
                reconcileStatementTimeout,
                reconcileStatementTimeout);
    }

    /**
     * The driver properties every connection the job opens carries (besides user and password):
     * pgjdbc's {@code connectTimeout} and {@code socketTimeout} (whole seconds, rounded up) and the
     * session's {@code statement_timeout}. A property also given in {@link #url()} wins (pgjdbc
     * reads the URL last).
     */
    public Map<String, String> connectionProperties() {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("connectTimeout", Long.toString(ceilSeconds(connectTimeout)));
        properties.put("socketTimeout", Long.toString(ceilSeconds(socketTimeout)));
        properties.put("options", "-c statement_timeout=" + statementTimeout.toMillis());
        return properties;
    }

    private static long ceilSeconds(Duration d) {
        return (d.toMillis() + 999) / 1000;
    }

    @Override
    public String toString() {
        return "JdbcSettings{" + url + ", user " + user + ", batches of " + batchSize + "}";
    }
}

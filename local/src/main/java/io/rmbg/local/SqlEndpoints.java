package io.rmbg.local;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Checks, before Flink starts, that the servers a script reads are there: an unreachable broker
 * would otherwise surface a minute later as a timeout deep inside a Flink job failure.
 */
final class SqlEndpoints {
    static final String ADVICE =
            "is `bin/rmbg local` running? For other servers pass --jdbc.url,"
                    + " --kafka.bootstrap-servers (or set RMBG_JDBC_URL, …).";
    private static final int TIMEOUT_SECONDS = 5;

    private SqlEndpoints() {}

    static void checkPostgres(String url, String user, String password) {
        DriverManager.setLoginTimeout(TIMEOUT_SECONDS);
        try (Connection c = DriverManager.getConnection(url, user, password)) {
            c.isValid(TIMEOUT_SECONDS);
        } catch (SQLException e) {
            String state = e.getSQLState() == null ? "" : e.getSQLState();
            if (state.startsWith("28")) {
                throw new SqlRunException(
                        "PostgreSQL at "
                                + url
                                + " refused user '"
                                + user
                                + "' ("
                                + e.getMessage()
                                + "): check --jdbc.user and RMBG_JDBC_PASSWORD.");
            }
            if (state.equals("3D000")) {
                throw new SqlRunException(
                        "PostgreSQL at "
                                + url
                                + ": "
                                + e.getMessage()
                                + ". Check --jdbc.url, and apply sql/schema.sql to a new database.");
            }
            throw new SqlRunException(
                    "cannot reach PostgreSQL at " + url + " (" + e.getMessage() + "): " + ADVICE);
        }
    }

    /**
     * @param topic a topic that must exist, or {@code null} to check only the broker
     */
    static void checkKafka(String bootstrapServers, String topic) {
        Map<String, Object> props =
                Map.of(
                        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, TIMEOUT_SECONDS * 1000,
                        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, TIMEOUT_SECONDS * 1000);
        try (Admin admin = Admin.create(props)) {
            if (topic == null) {
                admin.describeCluster().nodes().get(TIMEOUT_SECONDS + 1, TimeUnit.SECONDS);
            } else {
                admin.describeTopics(List.of(topic))
                        .allTopicNames()
                        .get(TIMEOUT_SECONDS + 1, TimeUnit.SECONDS);
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                throw new SqlRunException(
                        "Kafka at "
                                + bootstrapServers
                                + " has no topic '"
                                + topic
                                + "': it appears when the pipeline starts (bin/rmbg local); or pass --kafka.topic.results.");
            }
            throw unreachable(bootstrapServers, e.getCause());
        } catch (TimeoutException e) {
            throw unreachable(bootstrapServers, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SqlRunException("interrupted while checking Kafka at " + bootstrapServers);
        } catch (org.apache.kafka.common.KafkaException e) {
            throw unreachable(bootstrapServers, e);
        }
    }

    private static SqlRunException unreachable(String bootstrapServers, Throwable cause) {
        String why =
                cause == null || cause.getMessage() == null
                        ? "no answer within " + TIMEOUT_SECONDS + " s"
                        : cause.getMessage();
        return new SqlRunException(
                "cannot reach Kafka at " + bootstrapServers + " (" + why + "): " + ADVICE);
    }
}

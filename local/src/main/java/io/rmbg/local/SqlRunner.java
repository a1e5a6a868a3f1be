package io.rmbg.local;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.ResultKind;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;

import io.rmbg.job.config.ConfigKeys;
import io.rmbg.job.config.PipelineConfig;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code bin/rmbg sql FILE [--config FILE] [--KEY VALUE …]}: runs a Flink SQL script (the recipes
 * in {@code sql/}) against the local stack or the configured endpoints, and prints each query's
 * result as a table.
 *
 * <p>Endpoints come from the pipeline's settings ({@link PipelineConfig}: defaults, {@code
 * --config}, {@code RMBG_*}, {@code --key value}) and replace the script's placeholders, see {@link
 * #placeholders}. Every statement runs in one {@link TableEnvironment} in batch mode: the scripts
 * read bounded sources (JDBC tables, Kafka topics up to their latest offset), so each query ends
 * with a final table rather than a changelog.
 *
 * <pre>{@code
 * List<SqlResult> results = new SqlRunner(PipelineConfig.defaults(), System.out).run(Path.of("sql/stats.sql"));
 * }</pre>
 *
 * <p>PostgreSQL {@code TIMESTAMPTZ} columns read as {@code TIMESTAMP} in the JVM's time zone (the
 * JDBC connector converts through {@link java.sql.Timestamp}); {@code bin/rmbg} runs the JVM with
 * {@code -Duser.timezone=UTC} so that days are UTC days, as in {@code processing_stats}.
 */
public final class SqlRunner {
    /** Placeholder name to setting. */
    private static final Map<String, String> PLACEHOLDER_KEYS = placeholderKeys();

    private final PipelineConfig config;
    private final PrintStream out;

    /**
     * @param out where each query's table is printed as it completes; {@link #quiet} for none
     */
    public SqlRunner(PipelineConfig config, PrintStream out) {
        this.config = config;
        this.out = out;
    }

    /** Prints nothing: for callers that only want the rows. */
    public static PrintStream quiet() {
        return new PrintStream(OutputStream.nullOutputStream());
    }

    public static void main(String[] args) {
        try {
            Path file = null;
            List<String> configArgs = new ArrayList<>();
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                if (arg.equals("-h") || arg.equals("--help")) {
                    usage(System.out);
                    return;
                } else if (arg.startsWith("--")) {
                    configArgs.add(arg);
                    if (i + 1 < args.length) {
                        configArgs.add(args[++i]);
                    }
                } else if (file == null) {
                    file = Path.of(arg);
                } else {
                    throw new SqlRunException("one script at a time; got " + file + " and " + arg);
                }
            }
            if (file == null) {
                usage(System.err);
                System.exit(2);
            }
            PipelineConfig config =
                    PipelineConfig.fromArgs(configArgs.toArray(String[]::new), System.getenv());
            new SqlRunner(config, System.out).run(file);
            // The Kafka and JDBC clients can leave non-daemon threads behind.
            System.exit(0);
        } catch (SqlRunException | IllegalArgumentException e) {
            System.err.println("rmbg sql: " + e.getMessage());
            System.exit(1);
        } catch (Throwable e) {
            System.err.println("rmbg sql failed: " + e);
            System.err.println("Details are in .local-data/rmbg-sql.log.");
            System.exit(1);
        }
    }

    /** Runs the script in {@code file}. */
    public List<SqlResult> run(Path file) {
        String script;
        try {
            script = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new SqlRunException("no such file: " + file + available(file));
        } catch (IOException e) {
            throw new SqlRunException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return run(script);
    }

    /**
     * Runs every statement of {@code script} in order and returns each query's rows; stops at the
     * first failure with a {@link SqlRunException} that names the line.
     */
    public List<SqlResult> run(String script) {
        List<SqlScript.Statement> statements = SqlScript.split(script);
        Map<String, String> values = placeholders(config);
        List<String> substituted = new ArrayList<>();
        try {
            for (SqlScript.Statement s : statements) {
                substituted.add(
                        SqlScript.substitute(
                                s, values)); // unknown placeholders fail before any work
            }
        } catch (IllegalArgumentException e) {
            throw new SqlRunException(e.getMessage(), e);
        }
        checkEndpoints(statements);

        TableEnvironment env =
                TableEnvironment.create(
                        EnvironmentSettings.newInstance()
                                .inBatchMode()
                                .withConfiguration(flinkConfiguration())
                                .build());
        List<SqlResult> results = new ArrayList<>();
        for (int i = 0; i < statements.size(); i++) {
            SqlScript.Statement statement = statements.get(i);
            try {
                if (SqlSettings.isSet(substituted.get(i))) {
                    SqlSettings.apply(substituted.get(i), env.getConfig());
                    continue;
                }
                TableResult result = env.executeSql(substituted.get(i));
                if (result.getResultKind() == ResultKind.SUCCESS_WITH_CONTENT) {
                    SqlResult rows = collect(statement.line(), substituted.get(i), result);
                    results.add(rows);
                    out.print(rows.format());
                    out.println();
                    out.flush();
                }
            } catch (SqlRunException e) {
                throw new SqlRunException("line " + statement.line() + ": " + e.getMessage(), e);
            } catch (Exception e) {
                throw new SqlRunException(
                        "the statement at line "
                                + statement.line()
                                + " failed: "
                                + SqlFailures.explain(e, config)
                                + "\n  "
                                + statement.headline(),
                        e);
            }
        }
        return results;
    }

    /**
     * What the scripts' {@code ${NAME}} placeholders stand for: {@code JDBC_URL}, {@code
     * JDBC_USER}, {@code JDBC_PASSWORD}, {@code KAFKA_BOOTSTRAP} and {@code KAFKA_TOPIC_RESULTS}.
     */
    public static Map<String, String> placeholders(PipelineConfig config) {
        Map<String, String> values = new LinkedHashMap<>();
        PLACEHOLDER_KEYS.forEach((name, key) -> values.put(name, config.get(key)));
        return values;
    }

    private static Map<String, String> placeholderKeys() {
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("JDBC_URL", ConfigKeys.JDBC_URL);
        keys.put("JDBC_USER", ConfigKeys.JDBC_USER);
        keys.put("JDBC_PASSWORD", ConfigKeys.JDBC_PASSWORD);
        keys.put("KAFKA_BOOTSTRAP", ConfigKeys.KAFKA_BOOTSTRAP_SERVERS);
        keys.put("KAFKA_TOPIC_RESULTS", ConfigKeys.KAFKA_TOPIC_RESULTS);
        return keys;
    }

    private void checkEndpoints(List<SqlScript.Statement> statements) {
        if (SqlScript.uses(statements, "JDBC_URL")) {
            SqlEndpoints.checkPostgres(
                    config.get(ConfigKeys.JDBC_URL),
                    config.get(ConfigKeys.JDBC_USER),
                    config.get(ConfigKeys.JDBC_PASSWORD));
        }
        if (SqlScript.uses(statements, "KAFKA_BOOTSTRAP")) {
            SqlEndpoints.checkKafka(
                    config.get(ConfigKeys.KAFKA_BOOTSTRAP_SERVERS),
                    SqlScript.uses(statements, "KAFKA_TOPIC_RESULTS")
                            ? config.get(ConfigKeys.KAFKA_TOPIC_RESULTS)
                            : null);
        }
    }

    private static Configuration flinkConfiguration() {
        Configuration conf = new Configuration();
        // Day boundaries of windows and CAST(... AS DATE) on TIMESTAMP_LTZ: UTC like the stats
        // table.
        conf.setString("table.local-time-zone", "UTC");
        return conf;
    }

    private static SqlResult collect(int line, String sql, TableResult result) throws Exception {
        List<String> columns = result.getResolvedSchema().getColumnNames();
        List<List<Object>> rows = new ArrayList<>();
        try (CloseableIterator<Row> it = result.collect()) {
            while (it.hasNext()) {
                Row row = it.next();
                List<Object> values = new ArrayList<>(row.getArity());
                for (int i = 0; i < row.getArity(); i++) {
                    values.add(row.getField(i));
                }
                rows.add(values);
            }
        }
        return new SqlResult(line, sql, columns, rows);
    }

    private static String available(Path file) {
        Path dir = file.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            return "";
        }
        try (Stream<Path> files = Files.list(dir)) {
            List<String> scripts =
                    files.map(p -> p.getFileName().toString())
                            .filter(n -> n.endsWith(".sql") && !n.equals("schema.sql"))
                            .sorted()
                            .toList();
            return scripts.isEmpty()
                    ? ""
                    : " (scripts in " + dir + ": " + String.join(", ", scripts) + ")";
        } catch (IOException e) {
            return "";
        }
    }

    private static void usage(PrintStream s) {
        s.println("usage: bin/rmbg sql FILE [--config FILE] [--KEY VALUE …]");
        s.println(
                "  runs a Flink SQL script against the local stack (or the configured endpoints)"
                        + " and prints each query's result");
        s.println(
                "  scripts: sql/stats.sql, sql/errors_by_code.sql, sql/latency_percentiles.sql,"
                        + " sql/busiest_users.sql, sql/last_24h.sql");
        s.println(
                "  placeholders: "
                        + PLACEHOLDER_KEYS.keySet().stream()
                                .map(k -> "${" + k + "} ← " + PLACEHOLDER_KEYS.get(k))
                                .toList());
    }
}

package io.rmbg.ops;

import io.rmbg.core.blob.S3Options;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Where the results store is, for the operations commands: the job's own setting names ({@code
 * jdbc.url}, {@code s3.bucket}, …) read from {@code --config FILE} (e.g. conf/job.properties), then
 * the environment ({@code RMBG_JDBC_URL}, {@code RMBG_S3_BUCKET}, …), then {@code --key value}
 * arguments. Defaults are the local stack's. Only the store's settings: the operations need no
 * Flink, so they run from a plain JRE (the maintenance container in docker-compose).
 */
public record OpsConfig(String jdbcUrl, String jdbcUser, String jdbcPassword, S3Options s3) {

    /** The settings read, with the local stack's defaults. */
    static final Map<String, String> DEFAULTS =
            Map.of(
                    "jdbc.url", "jdbc:postgresql://localhost:5432/rmbg",
                    "jdbc.user", "rmbg",
                    "jdbc.password", "rmbg",
                    "s3.endpoint", "http://localhost:9000",
                    "s3.region", "us-east-1",
                    "s3.bucket", "rmbg",
                    "s3.access-key", "rmbg",
                    "s3.secret-key", "rmbg-secret",
                    "s3.path-style", "true");

    /**
     * @param args {@code --key value} pairs, {@code --config FILE} among them; the file's keys this
     *     command does not use (the job's other settings) are ignored, so one properties file
     *     serves both, but an unknown {@code --key} is a mistake and named
     */
    public static OpsConfig fromArgs(List<String> args, Map<String, String> env)
            throws IOException {
        Map<String, String> values = new TreeMap<>(DEFAULTS);
        Map<String, String> given = new TreeMap<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (!a.startsWith("--") || i + 1 >= args.size()) {
                throw new IllegalArgumentException(a + " needs a value");
            }
            String key = a.substring(2);
            if (!key.equals("config") && !DEFAULTS.containsKey(key)) {
                throw new IllegalArgumentException(
                        "unknown setting "
                                + a
                                + "; the operations read --config FILE and "
                                + String.join(", ", new TreeMap<>(DEFAULTS).keySet()));
            }
            given.put(key, args.get(++i));
        }
        String file = given.remove("config");
        if (file != null) {
            Properties props = new Properties();
            try (Reader in = Files.newBufferedReader(Path.of(file))) {
                props.load(in);
            }
            props.stringPropertyNames().stream()
                    .filter(DEFAULTS::containsKey)
                    .forEach(k -> values.put(k, props.getProperty(k).trim()));
        }
        for (String key : DEFAULTS.keySet()) {
            String name =
                    "RMBG_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
            if (env.containsKey(name)) {
                values.put(key, env.get(name));
            }
        }
        values.putAll(given);
        return new OpsConfig(
                values.get("jdbc.url"),
                values.get("jdbc.user"),
                values.get("jdbc.password"),
                new S3Options(
                        values.get("s3.endpoint"),
                        values.get("s3.region"),
                        values.get("s3.bucket"),
                        values.get("s3.access-key"),
                        values.get("s3.secret-key"),
                        Boolean.parseBoolean(values.get("s3.path-style"))));
    }
}

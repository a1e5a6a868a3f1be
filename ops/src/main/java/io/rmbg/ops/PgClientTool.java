package io.rmbg.ops;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A PostgreSQL client program ({@code pg_dump}, {@code pg_restore}) and its major version, run with
 * the connection of a JDBC URL given through libpq's environment ({@code PGHOST}, {@code
 * PGPASSWORD}, …), so no password appears on a command line.
 *
 * <p>The version rule: {@code pg_dump} refuses a server newer than itself, and a {@code pg_restore}
 * reads archives of its own and older {@code pg_dump}s only; so a tool is used when its major
 * version is at least the server's (and, for {@code pg_restore}, the dump's).
 */
record PgClientTool(String executable, int major) {
    private static final Pattern VERSION = Pattern.compile("\\(PostgreSQL\\) (\\d+)");

    /**
     * The tool's version, or a sentence saying why it cannot be used.
     *
     * @param executable a path, or a name looked up on PATH
     */
    static Probe probe(String executable) {
        String name = Path.of(executable).getFileName().toString();
        try {
            Result r = run(List.of(executable, "--version"), Map.of(), 10);
            Matcher m = VERSION.matcher(r.output());
            if (r.exitCode() != 0 || !m.find()) {
                return new Probe(null, executable + " --version said: " + r.output().strip());
            }
            return new Probe(new PgClientTool(executable, Integer.parseInt(m.group(1))), null);
        } catch (IOException e) {
            return new Probe(
                    null,
                    "no "
                            + name
                            + (executable.contains("/") ? " at " + executable : " on PATH")
                            + " ("
                            + e.getMessage()
                            + ")");
        }
    }

    /** The tool, or why there is none. */
    record Probe(PgClientTool tool, String problem) {}

    /** Output and exit code of a finished run. */
    record Result(int exitCode, String output) {}

    /**
     * Runs this tool with {@code args} against the database of {@code jdbcUrl}; fails with the
     * tool's own words when it exits non-zero.
     */
    String runAgainst(List<String> args, String jdbcUrl, String user, String password, long minutes)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add(executable);
        command.addAll(args);
        Result r = run(command, libpqEnvironment(jdbcUrl, user, password), minutes * 60);
        if (r.exitCode() != 0) {
            throw new IOException(
                    Path.of(executable).getFileName()
                            + " exited with "
                            + r.exitCode()
                            + ": "
                            + r.output().strip());
        }
        return r.output();
    }

    /**
     * libpq's variables for a {@code jdbc:postgresql://host[:port]/database[?sslmode=…]} URL.
     * Several hosts or a URL of another shape are refused: say the server with PG* variables then.
     */
    static Map<String, String> libpqEnvironment(String jdbcUrl, String user, String password) {
        Matcher m =
                Pattern.compile("jdbc:postgresql://([^/:,?]+)(?::(\\d+))?/([^?]+)(?:\\?(.*))?")
                        .matcher(jdbcUrl);
        if (!m.matches()) {
            throw new IllegalArgumentException(
                    "cannot hand "
                            + jdbcUrl
                            + " to pg_dump/pg_restore: give one"
                            + " jdbc:postgresql://HOST:PORT/DATABASE URL");
        }
        Map<String, String> env = new java.util.HashMap<>();
        env.put("PGHOST", m.group(1));
        env.put("PGPORT", m.group(2) == null ? "5432" : m.group(2));
        env.put("PGDATABASE", m.group(3));
        env.put("PGUSER", user);
        env.put("PGPASSWORD", password);
        if (m.group(4) != null) {
            for (String param : m.group(4).split("&")) {
                if (param.startsWith("sslmode=")) {
                    env.put("PGSSLMODE", param.substring("sslmode=".length()));
                }
            }
        }
        return env;
    }

    private static Result run(List<String> command, Map<String, String> env, long seconds)
            throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        // Read while it runs: a full pipe would stop the tool.
        Thread reader =
                new Thread(
                        () -> {
                            try (InputStream in = p.getInputStream()) {
                                in.transferTo(out);
                            } catch (IOException ignored) {
                                // the process ended; what was read is kept
                            }
                        });
        reader.start();
        try {
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(command.get(0) + " did not finish in " + seconds + " s");
            }
            reader.join();
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while " + command.get(0) + " ran", e);
        }
        return new Result(p.exitValue(), out.toString(StandardCharsets.UTF_8));
    }
}

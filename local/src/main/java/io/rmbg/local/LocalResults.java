package io.rmbg.local;

import io.rmbg.job.config.JdbcSettings;
import io.rmbg.job.config.PipelineConfig;
import io.rmbg.service.ResultsService;
import io.rmbg.service.ServiceConfig;
import io.rmbg.service.UsersCommand;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

import static io.rmbg.local.LocalConsole.say;

/**
 * The results side of {@code bin/rmbg local}: Redis (Debian's {@code redis-server}, port 6379) and
 * the results service (API and web page, port 8090) over the stack's PostgreSQL and S3. Without a
 * {@code redis-server} binary the service runs without its cache and the launcher says how to get
 * one.
 */
final class LocalResults implements AutoCloseable {
    static final int SERVICE_PORT = ServiceConfig.DEFAULT_PORT;
    static final int REDIS_PORT = ServiceConfig.DEFAULT_REDIS_PORT;

    private final RedisServer redis;
    private final ResultsService service;
    private final JdbcSettings jdbc;

    private LocalResults(RedisServer redis, ResultsService service, JdbcSettings jdbc) {
        this.redis = redis;
        this.service = service;
        this.jdbc = jdbc;
    }

    static LocalResults start(PipelineConfig config, Path dataDir)
            throws IOException, InterruptedException {
        RedisServer redis = null;
        try {
            redis = RedisServer.start(REDIS_PORT, dataDir.resolve("redis"));
        } catch (IOException e) {
            say(
                    "Redis not started ("
                            + e.getMessage()
                            + "); the results service runs without its cache. Install it with"
                            + " `apt-get install redis-server` to get one.");
        }
        JdbcSettings jdbc = config.jdbc();
        ServiceConfig serviceConfig =
                ServiceConfig.localDefaults()
                        .withPort(SERVICE_PORT)
                        .withDatabase(jdbc.url(), jdbc.user(), jdbc.password())
                        .withS3(config.s3())
                        .withSealer(config.sealer())
                        .withRedis(redis == null ? null : "127.0.0.1", REDIS_PORT);
        try {
            return new LocalResults(redis, ResultsService.start(serviceConfig), jdbc);
        } catch (IOException | RuntimeException e) {
            if (redis != null) {
                redis.close();
            }
            throw e;
        }
    }

    String url() {
        return service.url();
    }

    String redisLine() {
        return redis == null ? "off (no redis-server)" : "127.0.0.1:" + redis.port();
    }

    /** A new token for {@code user} (created if new), to paste into the page. */
    String tokenFor(String user) throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbc.url(), jdbc.user(), jdbc.password())) {
            return UsersCommand.add(c, user, false);
        }
    }

    @Override
    public void close() {
        service.close();
        if (redis != null) {
            try {
                redis.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

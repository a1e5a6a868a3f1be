package io.rmbg.service;

import io.rmbg.core.blob.S3Options;
import io.rmbg.core.crypto.BlobSealer;
import io.rmbg.core.crypto.MasterKey;

import java.time.Duration;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * The results service's settings. Defaults are the local stack's (docs/contracts.md §8, §9); {@link
 * #fromEnvironment} reads the {@code RMBG_SERVICE_*}, {@code RMBG_JDBC_*}, {@code RMBG_S3_*} and
 * {@code RMBG_REDIS_*} variables that docker-compose.yml sets.
 *
 * @param redisHost {@code null}: no cache (every request reads PostgreSQL)
 * @param cursorSecret signs cursors; {@code null}: a random one per process (cursors then do not
 *     survive a restart)
 */
public record ServiceConfig(
        String host,
        int port,
        String jdbcUrl,
        String jdbcUser,
        String jdbcPassword,
        S3Options s3,
        String redisHost,
        int redisPort,
        Duration jobTtl,
        Duration firstPageTtl,
        String cursorSecret,
        int threads,
        BlobSealer sealer) {

    public static final int DEFAULT_PORT = 8090;
    public static final int DEFAULT_REDIS_PORT = 6379;
    public static final Duration DEFAULT_JOB_TTL = Duration.ofMinutes(5);
    public static final Duration DEFAULT_FIRST_PAGE_TTL = Duration.ofSeconds(30);

    public ServiceConfig {
        requireNonNull(host, "host cannot be null");
        requireNonNull(jdbcUrl, "jdbcUrl cannot be null");
        requireNonNull(s3, "s3 cannot be null");
        requireNonNull(sealer, "sealer cannot be null");
        requireNonNull(jobTtl, "jobTtl cannot be null");
        requireNonNull(firstPageTtl, "firstPageTtl cannot be null");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, was " + port);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, was " + threads);
        }
    }

    /** The local stack's endpoints: PostgreSQL 5432, S3 9000, Redis 6379, the service on 8090. */
    public static ServiceConfig localDefaults() {
        return fromEnvironment(Map.of());
    }

    public static ServiceConfig fromEnvironment(Map<String, String> env) {
        S3Options s3 =
                new S3Options(
                        env.getOrDefault("RMBG_S3_ENDPOINT", "http://localhost:9000"),
                        env.getOrDefault("RMBG_S3_REGION", "us-east-1"),
                        env.getOrDefault("RMBG_S3_BUCKET", "rmbg"),
                        env.getOrDefault("RMBG_S3_ACCESS_KEY", "rmbg"),
                        env.getOrDefault("RMBG_S3_SECRET_KEY", "rmbg-secret"),
                        true);
        String redis = env.getOrDefault("RMBG_REDIS_HOST", "localhost");
        return new ServiceConfig(
                env.getOrDefault("RMBG_SERVICE_HOST", "127.0.0.1"),
                Integer.parseInt(
                        env.getOrDefault("RMBG_SERVICE_PORT", String.valueOf(DEFAULT_PORT))),
                env.getOrDefault("RMBG_JDBC_URL", "jdbc:postgresql://localhost:5432/rmbg"),
                env.getOrDefault("RMBG_JDBC_USER", "rmbg"),
                env.getOrDefault("RMBG_JDBC_PASSWORD", "rmbg"),
                s3,
                redis.isBlank() || redis.equals("none") ? null : redis,
                Integer.parseInt(
                        env.getOrDefault("RMBG_REDIS_PORT", String.valueOf(DEFAULT_REDIS_PORT))),
                Duration.ofSeconds(
                        Long.parseLong(
                                env.getOrDefault(
                                        "RMBG_CACHE_JOB_TTL_S",
                                        String.valueOf(DEFAULT_JOB_TTL.toSeconds())))),
                Duration.ofSeconds(
                        Long.parseLong(
                                env.getOrDefault(
                                        "RMBG_CACHE_FIRST_PAGE_TTL_S",
                                        String.valueOf(DEFAULT_FIRST_PAGE_TTL.toSeconds())))),
                env.get("RMBG_CURSOR_SECRET"),
                Integer.parseInt(env.getOrDefault("RMBG_SERVICE_THREADS", "16")),
                sealer(env));
    }

    /**
     * {@code RMBG_SECURITY_MASTER_KEY}, the job's master key: the service decrypts sensitive
     * images' blobs for their owners with it (without it they answer 503).
     */
    private static BlobSealer sealer(Map<String, String> env) {
        String key = env.getOrDefault("RMBG_SECURITY_MASTER_KEY", "");
        return key.isBlank() ? BlobSealer.OFF : new BlobSealer(MasterKey.fromBase64(key), false);
    }

    /** The same service, decrypting sensitive images' blobs with {@code newSealer}. */
    public ServiceConfig withSealer(BlobSealer newSealer) {
        return new ServiceConfig(
                host,
                port,
                jdbcUrl,
                jdbcUser,
                jdbcPassword,
                s3,
                redisHost,
                redisPort,
                jobTtl,
                firstPageTtl,
                cursorSecret,
                threads,
                newSealer);
    }

    public ServiceConfig withPort(int newPort) {
        return new ServiceConfig(
                host,
                newPort,
                jdbcUrl,
                jdbcUser,
                jdbcPassword,
                s3,
                redisHost,
                redisPort,
                jobTtl,
                firstPageTtl,
                cursorSecret,
                threads,
                sealer);
    }

    /** {@code null} host: no Redis. */
    public ServiceConfig withRedis(String newHost, int newPort) {
        return new ServiceConfig(
                host,
                port,
                jdbcUrl,
                jdbcUser,
                jdbcPassword,
                s3,
                newHost,
                newPort,
                jobTtl,
                firstPageTtl,
                cursorSecret,
                threads,
                sealer);
    }

    public ServiceConfig withDatabase(String url, String user, String password) {
        return new ServiceConfig(
                host,
                port,
                url,
                user,
                password,
                s3,
                redisHost,
                redisPort,
                jobTtl,
                firstPageTtl,
                cursorSecret,
                threads,
                sealer);
    }

    public ServiceConfig withS3(S3Options options) {
        return new ServiceConfig(
                host,
                port,
                jdbcUrl,
                jdbcUser,
                jdbcPassword,
                options,
                redisHost,
                redisPort,
                jobTtl,
                firstPageTtl,
                cursorSecret,
                threads,
                sealer);
    }

    @Override
    public String toString() {
        return "ServiceConfig[http://"
                + host
                + ":"
                + port
                + ", jdbc="
                + jdbcUrl
                + " as "
                + jdbcUser
                + ", s3="
                + s3
                + ", redis="
                + (redisHost == null ? "off" : redisHost + ":" + redisPort)
                + "]";
    }
}

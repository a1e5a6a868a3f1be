package io.rmbg.local;

import io.rmbg.core.blob.BlobKind;
import io.rmbg.core.blob.RetryingBlobStore;
import io.rmbg.core.blob.S3BlobStore;
import io.rmbg.core.blob.S3Options;
import io.rmbg.core.error.ErrorCode;
import io.rmbg.core.records.BlobRef;
import io.rmbg.core.records.JobResult;
import io.rmbg.core.records.JobStatus;
import io.rmbg.job.sinks.JobRowStatement;
import io.rmbg.service.ResultsService;
import io.rmbg.service.ServiceConfig;
import io.rmbg.service.UsersCommand;

import javax.imageio.ImageIO;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.HexFormat;
import java.util.UUID;

/**
 * The results service on real parts: embedded PostgreSQL with the schema, s3proxy with the bucket,
 * Redis (the Debian binary), and the service itself. Jobs are written with the Flink sink's own
 * upsert ({@link JobRowStatement}) and their blobs with the job's store, so the service reads what
 * the pipeline writes.
 */
final class ServiceStack implements AutoCloseable {
    static final String BUCKET = "rmbg";
    final LocalPostgres pg;
    final LocalS3 s3;
    final RedisServer redis;
    final S3BlobStore store;
    final ServiceConfig config;
    final ResultsService service;
    private final HttpClient http = HttpClient.newHttpClient();

    private ServiceStack(
            LocalPostgres pg,
            LocalS3 s3,
            RedisServer redis,
            S3BlobStore store,
            ServiceConfig config,
            ResultsService service) {
        this.pg = pg;
        this.s3 = s3;
        this.redis = redis;
        this.store = store;
        this.config = config;
        this.service = service;
    }

    static ServiceStack start(Path dir) throws Exception {
        LocalPostgres pg =
                LocalPostgres.start(dir.resolve("pg"), 0, "rmbg", "rmbg", LocalStack.schemaSql());
        LocalS3 s3 =
                LocalS3.start(dir.resolve("s3"), "127.0.0.1", freePort(), "rmbg", "rmbg-secret");
        S3Options options =
                new S3Options(s3.endpoint(), "us-east-1", BUCKET, "rmbg", "rmbg-secret", true);
        S3BlobStore store = new S3BlobStore(options);
        store.client().createBucket(b -> b.bucket(BUCKET));
        RedisServer redis = RedisServer.start(0, dir.resolve("redis"));
        ServiceConfig config =
                ServiceConfig.localDefaults()
                        .withPort(0)
                        .withDatabase(pg.jdbcUrl(), "rmbg", "rmbg")
                        .withS3(options)
                        .withRedis("127.0.0.1", redis.port());
        return new ServiceStack(pg, s3, redis, store, config, ResultsService.start(config));
    }

    static int freePort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    Connection connect() throws Exception {
        return DriverManager.getConnection(pg.jdbcUrl(), "rmbg", "rmbg");
    }

    String token(String user, boolean admin) throws Exception {
        try (Connection c = connect()) {
            return UsersCommand.add(c, user, admin);
        }
    }

    /** A finished job of {@code user} created at {@code createdAt}, with its three blobs stored. */
    String completed(String user, Instant createdAt, String paramsJson, String... tags)
            throws Exception {
        String id = UUID.randomUUID().toString();
        int seed = id.hashCode();
        BlobRef original = put(BlobKind.ORIGINAL, "jpg", "image/jpeg", image(seed, false, "jpg"));
        BlobRef mask = put(BlobKind.MASK, "png", "image/png", image(seed, true, "mask"));
        BlobRef cutout = put(BlobKind.PROCESSED, "png", "image/png", image(seed, true, "png"));
        write(
                JobResult.builder(id, user, JobStatus.COMPLETED)
                        .original(original)
                        .mask(mask)
                        .processed(cutout)
                        .size(64, 48)
                        .fileSizeKb(1)
                        .params(paramsJson, tags)
                        .times(createdAt.toEpochMilli(), createdAt.toEpochMilli() + 120, 120)
                        .model("rmbg-2.0", "test")
                        .build());
        return id;
    }

    /** A job without blobs: failed (with an error code) or still processing. */
    String unfinished(String user, Instant createdAt, JobStatus status, String... tags)
            throws Exception {
        String id = UUID.randomUUID().toString();
        boolean failed = status == JobStatus.FAILED;
        write(
                JobResult.builder(id, user, status)
                        .failure(
                                failed ? ErrorCode.IMAGE_DECODE : null,
                                failed ? "not an image" : null)
                        .originalPath("s3://rmbg/uploads/" + user + "/x.jpg")
                        .params(null, tags)
                        .times(
                                createdAt.toEpochMilli(),
                                failed ? createdAt.toEpochMilli() + 5 : 0,
                                failed ? 5 : 0)
                        .build());
        return id;
    }

    void write(JobResult r) throws Exception {
        try (Connection c = connect();
                PreparedStatement ps = c.prepareStatement(JobRowStatement.SQL)) {
            new JobRowStatement().accept(ps, r);
            ps.execute();
        }
    }

    private BlobRef put(BlobKind kind, String ext, String type, byte[] bytes) throws Exception {
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        // As the job writes them: s3proxy under load sometimes drops a connection mid-request.
        String uri =
                new RetryingBlobStore(store, java.time.Duration.ofSeconds(30))
                        .put(kind, sha, ext, type, bytes);
        return new BlobRef(uri, sha, bytes.length, 64, 48, type);
    }

    /** A small picture: a coloured disc (on a background for originals, transparent otherwise). */
    static byte[] image(int seed, boolean alpha, String format) throws IOException {
        BufferedImage img =
                new BufferedImage(
                        64, 48, alpha ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        Color subject = new Color(seed & 0xffffff);
        if (format.equals("mask")) {
            subject = Color.WHITE;
        } else if (!alpha) {
            g.setColor(new Color(40, 160, 60));
            g.fillRect(0, 0, 64, 48);
        }
        g.setColor(subject);
        g.fillOval(12, 6, 40, 36);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, format.equals("jpg") ? "jpg" : "png", out);
        return out.toByteArray();
    }

    HttpResponse<String> get(String token, String pathAndQuery) throws Exception {
        return get(service, token, pathAndQuery);
    }

    HttpResponse<String> get(ResultsService s, String token, String pathAndQuery) throws Exception {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create(s.url() + pathAndQuery.substring(1)));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<byte[]> getBytes(String token, String pathAndQuery) throws Exception {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create(service.url() + pathAndQuery.substring(1)));
        b.header("Authorization", "Bearer " + token);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Override
    public void close() throws Exception {
        service.close();
        store.close();
        redis.close();
        s3.close();
        pg.close();
    }
}

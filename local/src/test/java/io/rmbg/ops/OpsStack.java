package io.rmbg.ops;

import io.rmbg.core.blob.S3BlobStore;
import io.rmbg.core.blob.S3Options;
import io.rmbg.local.LocalPostgres;
import io.rmbg.local.LocalS3;
import io.rmbg.local.LocalStack;
import io.zonky.test.db.postgres.embedded.PgBinaryResolver;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * The two servers maintenance works on, embedded: PostgreSQL with the schema and an S3 server with
 * the bucket, and the writes a job would make (blobs, rows, reuse entries).
 */
final class OpsStack implements AutoCloseable {
    static final String BUCKET = "rmbg";
    static final String ACCESS_KEY = "rmbg";
    static final String SECRET_KEY = "rmbg-secret";

    final LocalPostgres pg;
    final LocalS3 s3Server;
    final S3BlobStore store;

    private OpsStack(LocalPostgres pg, LocalS3 s3Server) {
        this.pg = pg;
        this.s3Server = s3Server;
        this.store =
                new S3BlobStore(
                        new S3Options(
                                s3Server.endpoint(),
                                "us-east-1",
                                BUCKET,
                                ACCESS_KEY,
                                SECRET_KEY,
                                true));
        store.client().createBucket(b -> b.bucket(BUCKET));
    }

    static OpsStack start(Path dir) throws Exception {
        return start(dir, null);
    }

    /**
     * @param binaries PostgreSQL's binaries; null: the classpath's (17)
     */
    static OpsStack start(Path dir, PgBinaryResolver binaries) throws Exception {
        LocalPostgres pg =
                LocalPostgres.start(
                        dir.resolve("pg"), 0, "rmbg", "rmbg", LocalStack.schemaSql(), binaries);
        try {
            int port;
            try (var socket = new java.net.ServerSocket(0)) {
                port = socket.getLocalPort();
            }
            return new OpsStack(
                    pg,
                    LocalS3.start(dir.resolve("s3"), "127.0.0.1", port, ACCESS_KEY, SECRET_KEY));
        } catch (Exception e) {
            pg.close();
            throw e;
        }
    }

    S3Client s3() {
        return store.client();
    }

    Connection connect() throws Exception {
        return DriverManager.getConnection(pg.jdbcUrl(), "rmbg", "rmbg");
    }

    /** Stores {@code text} at {@code key}, as the job does (a PUT, also over an existing key). */
    String put(String key, String text) {
        // The HTTP client reports a connection s3proxy closed as UncheckedIOException, which the
        // SDK does not retry (the job's RetryingBlobStore does): so does this fixture, twice.
        for (int attempt = 1; ; attempt++) {
            try {
                s3().putObject(
                                b -> b.bucket(BUCKET).key(key),
                                RequestBody.fromString(text, StandardCharsets.UTF_8));
                return uri(key);
            } catch (java.io.UncheckedIOException e) {
                if (attempt == 3) {
                    throw e;
                }
            }
        }
    }

    boolean exists(String key) {
        try {
            s3().headObject(b -> b.bucket(BUCKET).key(key));
            return true;
        } catch (NoSuchKeyException e) {
            return false;
        }
    }

    String read(String key) {
        return s3().getObjectAsBytes(b -> b.bucket(BUCKET).key(key)).asUtf8String();
    }

    List<String> keys() {
        return s3().listObjectsV2Paginator(b -> b.bucket(BUCKET)).contents().stream()
                .map(S3Object::key)
                .sorted()
                .toList();
    }

    static String uri(String key) {
        return "s3://" + BUCKET + "/" + key;
    }

    /** A job row as the sink writes it; returns its job_id. */
    String jobRow(String status, Instant createdAt, String original, String mask, String processed)
            throws Exception {
        String job = UUID.randomUUID().toString();
        try (Connection c = connect();
                PreparedStatement ps =
                        c.prepareStatement(
                                "WITH id AS (INSERT INTO jobs_ids VALUES (?::uuid, 'user', ?)"
                                        + " RETURNING job_id, created_at)"
                                        + " INSERT INTO image_process_jobs (job_id, user_id,"
                                        + " original_path, mask_path, processed_path, status,"
                                        + " created_at) SELECT job_id, 'user', ?, ?, ?, ?,"
                                        + " created_at FROM id")) {
            ps.setString(1, job);
            ps.setObject(2, java.sql.Timestamp.from(createdAt));
            ps.setString(3, original);
            ps.setString(4, mask);
            ps.setString(5, processed);
            ps.setString(6, status);
            ps.executeUpdate();
        }
        return job;
    }

    /** A result-reuse entry naming three blobs. */
    void reuseEntry(String original, String mask, String processed) throws Exception {
        try (Connection c = connect();
                PreparedStatement ps =
                        c.prepareStatement(
                                "INSERT INTO result_reuse (reuse_key, original_path,"
                                        + " original_sha256, original_bytes, original_type,"
                                        + " mask_path, mask_sha256, mask_bytes, processed_path,"
                                        + " processed_sha256, processed_bytes, image_width,"
                                        + " image_height) VALUES (?, ?, ?, 1, 'image/png', ?, ?, 1,"
                                        + " ?, ?, 1, 1, 1)")) {
            String sha = "a".repeat(64);
            ps.setString(1, UUID.randomUUID().toString().replace("-", "").repeat(2));
            ps.setString(2, original);
            ps.setString(3, sha);
            ps.setString(4, mask);
            ps.setString(5, sha);
            ps.setString(6, processed);
            ps.setString(7, sha);
            ps.executeUpdate();
        }
    }

    void execute(String sql) throws Exception {
        try (Connection c = connect();
                Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    @Override
    public void close() throws Exception {
        store.close();
        s3Server.close();
        pg.close();
    }
}

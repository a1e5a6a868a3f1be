package io.rmbg.ops;

import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code bin/rmbg backup DIR}: the store's tables and a manifest of its bucket, in a directory.
 *
 * <ul>
 *   <li>{@code db/<table>.copy}: the table in PostgreSQL's binary COPY format, all tables read in
 *       one REPEATABLE READ snapshot; {@code db/<table>.columns} names its columns in that order;
 *       {@code db/schema.sql} is the schema they were taken from.
 *   <li>{@code blobs.tsv}: key, size and SHA-256 of every blob under the job's prefixes, listed
 *       after the snapshot (a blob is stored before the row that names it, so every blob a
 *       backed-up row names is in the list); with {@code --blobs}, the blobs themselves under
 *       {@code blobs/}.
 * </ul>
 *
 * <p>Why not {@code pg_dump}: the embedded server is PostgreSQL 17 and ships no client tools, and
 * pg_dump refuses a server newer than itself (Debian 12 has 15). On a cluster, {@code pg_dump -Fc}
 * of the postgres container is the database backup (README); this command works against any server
 * version with only JDBC, and is what {@code bin/rmbg restore} reads.
 */
public final class StoreBackup {
    /** In the order a restore loads them: referenced tables before those that reference them. */
    public static final List<String> TABLES =
            List.of(
                    "users",
                    "tags",
                    "jobs_ids",
                    "image_process_jobs",
                    "image_tags",
                    "processing_stats",
                    "processing_error_stats",
                    "result_reuse",
                    "api_tokens");

    /** The bucket prefixes a backup lists (the job's blobs and the users' uploads). */
    public static final List<String> PREFIXES =
            List.of("uploads/", "original/", "mask/", "processed/", "dead-letters/");

    /** What a backup holds. */
    public record Report(Map<String, Long> rows, long blobs, long blobBytes, boolean withBlobs) {}

    private StoreBackup() {}

    public static Report write(
            Connection db, S3Client s3, String bucket, String schemaSql, Path dir, boolean blobs)
            throws SQLException, IOException {
        if (Files.exists(dir)) {
            try (var entries = Files.list(dir)) {
                if (entries.findAny().isPresent()) {
                    throw new IllegalArgumentException(
                            dir + " is not empty: give a new directory for each backup");
                }
            }
        }
        Path dbDir = Files.createDirectories(dir.resolve("db"));
        Files.writeString(dbDir.resolve("schema.sql"), schemaSql);
        Map<String, Long> rows = new LinkedHashMap<>();
        boolean auto = db.getAutoCommit();
        db.setAutoCommit(false);
        db.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        try {
            CopyManager copy = db.unwrap(PGConnection.class).getCopyAPI();
            for (String table : TABLES) {
                List<String> columns = columns(db, table);
                Files.writeString(
                        dbDir.resolve(table + ".columns"), String.join("\n", columns) + "\n");
                try (OutputStream out = Files.newOutputStream(dbDir.resolve(table + ".copy"))) {
                    rows.put(
                            table,
                            copy.copyOut(
                                    // A query: COPY cannot read a partitioned table by name.
                                    "COPY (SELECT "
                                            + String.join(", ", columns)
                                            + " FROM "
                                            + table
                                            + ") TO STDOUT (FORMAT binary)",
                                    out));
                }
            }
        } finally {
            db.rollback(); // read only: nothing to commit; also ends a failed transaction
            db.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            db.setAutoCommit(auto);
        }
        long count = 0;
        long bytes = 0;
        List<String> manifest = new ArrayList<>();
        for (String prefix : PREFIXES) {
            for (S3Object o :
                    s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents()) {
                Path copyTo = blobs ? BlobManifest.blobFile(dir, o.key()) : null;
                String sha = sha256(s3, bucket, o.key(), copyTo);
                manifest.add(BlobManifest.line(o.key(), o.size(), sha));
                count++;
                bytes += o.size();
            }
        }
        Files.write(dir.resolve(BlobManifest.FILE), manifest, StandardCharsets.UTF_8);
        Files.writeString(
                dir.resolve("backup.properties"),
                "created="
                        + Instant.now()
                        + "\nbucket="
                        + bucket
                        + "\nblobs.copied="
                        + blobs
                        + "\n"
                        + rows.entrySet().stream()
                                .map(e -> "rows." + e.getKey() + "=" + e.getValue() + "\n")
                                .reduce("", String::concat));
        return new Report(rows, count, bytes, blobs);
    }

    static List<String> columns(Connection db, String table) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement s = db.createStatement();
                ResultSet rs =
                        s.executeQuery(
                                "SELECT attname FROM pg_attribute WHERE attrelid = '"
                                        + table
                                        + "'::regclass AND attnum > 0 AND NOT attisdropped"
                                        + " ORDER BY attnum")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    /** Reads the blob, hashing it; copies it to {@code copyTo} unless that is null. */
    static String sha256(S3Client s3, String bucket, String key, Path copyTo) throws IOException {
        MessageDigest digest = newDigest();
        try (ResponseInputStream<GetObjectResponse> in =
                        s3.getObject(b -> b.bucket(bucket).key(key));
                OutputStream sink =
                        copyTo == null
                                ? OutputStream.nullOutputStream()
                                : Files.newOutputStream(
                                        Files.createDirectories(copyTo.getParent())
                                                .resolve(copyTo.getFileName()));
                OutputStream out = new DigestOutputStream(sink, digest)) {
            in.transferTo(out);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    static String sha256(InputStream in) throws IOException {
        MessageDigest digest = newDigest();
        try (OutputStream out = new DigestOutputStream(OutputStream.nullOutputStream(), digest)) {
            in.transferTo(out);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}

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
 * <p>With a {@link PgDumpArchive} (a {@code pg_dump} at least as new as the server), the tables are
 * instead one {@code pg_dump -Fc} archive, {@code db.dump}, taken from the same exported snapshot
 * the row counts are read in. Without one (the embedded server is PostgreSQL 17 and ships no client
 * tools; Debian 12's pg_dump is 15 and refuses it) the binary COPY files need only JDBC and work
 * against any server version. {@code bin/rmbg restore} reads both.
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
        return write(db, s3, bucket, schemaSql, dir, blobs, null);
    }

    /**
     * @param archive writes the tables as {@code db.dump} with pg_dump; null: binary COPY files
     */
    static Report write(
            Connection db,
            S3Client s3,
            String bucket,
            String schemaSql,
            Path dir,
            boolean blobs,
            PgDumpArchive archive)
            throws SQLException, IOException {
        if (Files.exists(dir)) {
            try (var entries = Files.list(dir)) {
                if (entries.findAny().isPresent()) {
                    throw new IllegalArgumentException(
                            dir + " is not empty: give a new directory for each backup");
                }
            }
        }
        Files.createDirectories(dir);
        Map<String, Long> rows = new LinkedHashMap<>();
        boolean auto = db.getAutoCommit();
        db.setAutoCommit(false);
        db.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        try {
            if (archive != null) {
                dumpAndCount(db, archive, dir, rows);
            } else {
                copyOut(db, schemaSql, dir, rows);
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
                        + "\ndb.format="
                        + (archive == null ? "copy" : "pg_dump")
                        + "\n"
                        + (archive == null
                                ? ""
                                : PgDumpArchive.DUMP_MAJOR + "=" + archive.tool().major() + "\n")
                        + rows.entrySet().stream()
                                .map(e -> "rows." + e.getKey() + "=" + e.getValue() + "\n")
                                .reduce("", String::concat));
        return new Report(rows, count, bytes, blobs);
    }

    /**
     * pg_dump reads the snapshot this transaction exports, so the archive and the row counts are
     * the same state of the database; the transaction must stay open until pg_dump has started.
     */
    private static void dumpAndCount(
            Connection db, PgDumpArchive archive, Path dir, Map<String, Long> rows)
            throws SQLException, IOException {
        String snapshot;
        try (Statement s = db.createStatement();
                ResultSet rs = s.executeQuery("SELECT pg_export_snapshot()")) {
            rs.next();
            snapshot = rs.getString(1);
        }
        archive.dump(dir.resolve(PgDumpArchive.FILE), snapshot);
        try (Statement s = db.createStatement()) {
            for (String table : TABLES) {
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
                    rs.next();
                    rows.put(table, rs.getLong(1));
                }
            }
        }
    }

    private static void copyOut(Connection db, String schemaSql, Path dir, Map<String, Long> rows)
            throws SQLException, IOException {
        Path dbDir = Files.createDirectories(dir.resolve("db"));
        Files.writeString(dbDir.resolve("schema.sql"), schemaSql);
        CopyManager copy = db.unwrap(PGConnection.class).getCopyAPI();
        for (String table : TABLES) {
            List<String> columns = columns(db, table);
            Files.writeString(dbDir.resolve(table + ".columns"), String.join("\n", columns) + "\n");
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

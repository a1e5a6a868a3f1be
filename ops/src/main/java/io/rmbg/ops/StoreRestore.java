package io.rmbg.ops;

import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code bin/rmbg restore DIR}: loads a {@link StoreBackup} into the database (schema first, then
 * every table in one transaction, so a failed restore leaves nothing half-loaded; a {@code db.dump}
 * archive with {@code pg_restore --single-transaction}), puts back the blobs the backup holds, and
 * checks every blob of the manifest: present, same size, same SHA-256.
 *
 * <p>Refuses a database whose tables hold rows unless {@code replace} (then they are emptied in the
 * same transaction). Stop the job first: rows it writes during a restore would be mixed in.
 */
public final class StoreRestore {
    /** Rows loaded per table; blobs put back; manifest entries missing or different afterwards. */
    public record Report(Map<String, Long> rows, long blobsPut, List<String> blobProblems) {}

    private StoreRestore() {}

    public static Report read(Connection db, S3Client s3, String bucket, Path dir, boolean replace)
            throws SQLException, IOException {
        return read(db, s3, bucket, dir, replace, null);
    }

    /**
     * @param archive restores a backup's {@code db.dump} with pg_restore; a backup of binary COPY
     *     files needs none
     */
    static Report read(
            Connection db,
            S3Client s3,
            String bucket,
            Path dir,
            boolean replace,
            PgDumpArchive archive)
            throws SQLException, IOException {
        boolean dumped = Files.isRegularFile(dir.resolve(PgDumpArchive.FILE));
        if (!Files.isRegularFile(dir.resolve(BlobManifest.FILE))
                || !(dumped || Files.isRegularFile(dir.resolve("db").resolve("schema.sql")))) {
            throw new IllegalArgumentException(
                    dir
                            + " is not a backup of bin/rmbg backup (no blobs.tsv, or neither"
                            + " db.dump nor db/schema.sql)");
        }
        Map<String, Long> rows;
        if (dumped) {
            if (archive == null) {
                throw new IllegalStateException(
                        dir.resolve(PgDumpArchive.FILE) + " is restored with pg_restore: give one");
            }
            refuseRows(db, replace);
            archive.restore(db, dir.resolve(PgDumpArchive.FILE));
            rows = new LinkedHashMap<>();
            try (Statement s = db.createStatement()) {
                for (String table : existingTables(db)) {
                    try (ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
                        rs.next();
                        rows.put(table, rs.getLong(1));
                    }
                }
            }
        } else {
            rows = copyIn(db, dir.resolve("db"), replace);
        }
        long put = 0;
        List<String> problems = new ArrayList<>();
        for (BlobManifest.Entry e : BlobManifest.read(dir)) {
            Path file = BlobManifest.blobFile(dir, e.key());
            if (Files.isRegularFile(file)) {
                s3.putObject(b -> b.bucket(bucket).key(e.key()), RequestBody.fromFile(file));
                put++;
            }
            String problem = check(s3, bucket, e);
            if (problem != null) {
                problems.add(problem);
            }
        }
        return new Report(rows, put, problems);
    }

    /** The binary COPY files of {@code dbDir}, in one transaction after the schema. */
    private static Map<String, Long> copyIn(Connection db, Path dbDir, boolean replace)
            throws SQLException, IOException {
        try (Statement s = db.createStatement()) {
            s.execute(Files.readString(dbDir.resolve("schema.sql")));
        }
        Map<String, Long> rows = new LinkedHashMap<>();
        // A backup taken before time partitions has no jobs_ids; a store created by that schema
        // has none either (bin/rmbg maintain --partition migrates it after the restore).
        List<String> tables = existingTables(db);
        boolean auto = db.getAutoCommit();
        db.setAutoCommit(false);
        try {
            refuseRows(db, replace);
            if (replace) {
                try (Statement s = db.createStatement()) {
                    s.execute("TRUNCATE " + String.join(", ", tables));
                }
            }
            CopyManager copy = db.unwrap(PGConnection.class).getCopyAPI();
            for (String table : tables) {
                if (!Files.isRegularFile(dbDir.resolve(table + ".copy"))) {
                    continue;
                }
                List<String> columns =
                        Files.readAllLines(dbDir.resolve(table + ".columns")).stream()
                                .filter(c -> !c.isBlank())
                                .toList();
                try (InputStream in = Files.newInputStream(dbDir.resolve(table + ".copy"))) {
                    rows.put(
                            table,
                            copy.copyIn(
                                    "COPY "
                                            + table
                                            + " ("
                                            + String.join(", ", columns)
                                            + ") FROM STDIN (FORMAT binary)",
                                    in));
                }
                if (table.equals("image_process_jobs")
                        && tables.contains("jobs_ids")
                        && !rows.containsKey("jobs_ids")) {
                    try (Statement s = db.createStatement()) {
                        // A backup from before jobs_ids: the ids come from the rows, and tags
                        // reference them, so they must be there before image_tags loads.
                        rows.put(
                                "jobs_ids",
                                (long)
                                        s.executeUpdate(
                                                "INSERT INTO jobs_ids SELECT job_id, user_id,"
                                                        + " created_at FROM image_process_jobs"));
                    }
                }
            }
            try (Statement s = db.createStatement()) {
                // The rows carry their tag ids; new tags must not collide with them.
                s.execute(
                        "SELECT setval('tags_tag_id_seq', coalesce((SELECT max(tag_id) FROM tags), 0) + 1, false)");
            }
            db.commit();
        } catch (SQLException | IOException | RuntimeException e) {
            db.rollback();
            throw e;
        } finally {
            db.setAutoCommit(auto);
        }
        return rows;
    }

    /** The store's tables that exist in this database, in restore order. */
    private static List<String> existingTables(Connection db) throws SQLException {
        List<String> tables = new ArrayList<>();
        try (Statement s = db.createStatement()) {
            for (String table : StoreBackup.TABLES) {
                try (ResultSet rs =
                        s.executeQuery("SELECT to_regclass('" + table + "') IS NOT NULL")) {
                    rs.next();
                    if (rs.getBoolean(1)) {
                        tables.add(table);
                    }
                }
            }
        }
        return tables;
    }

    /** Unless {@code replace}, fails when a table of the store that exists holds rows. */
    private static void refuseRows(Connection db, boolean replace) throws SQLException {
        if (replace) {
            return;
        }
        try (Statement s = db.createStatement()) {
            for (String table : existingTables(db)) {
                try (ResultSet rs = s.executeQuery("SELECT EXISTS (SELECT FROM " + table + ")")) {
                    rs.next();
                    if (rs.getBoolean(1)) {
                        throw new IllegalStateException(
                                "table "
                                        + table
                                        + " holds rows: restore into an empty database, or"
                                        + " pass --replace to empty the tables first");
                    }
                }
            }
        }
    }

    /** Null when the bucket holds the manifest's bytes for {@code e}, else what differs. */
    static String check(S3Client s3, String bucket, BlobManifest.Entry e) throws IOException {
        try (ResponseInputStream<GetObjectResponse> in =
                s3.getObject(b -> b.bucket(bucket).key(e.key()))) {
            String sha = StoreBackup.sha256(in);
            if (!sha.equals(e.sha256())) {
                return e.key() + ": SHA-256 " + sha + ", the backup recorded " + e.sha256();
            }
            return null;
        } catch (NoSuchKeyException missing) {
            return e.key() + ": missing from the bucket";
        }
    }
}

package io.rmbg.ops;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code bin/rmbg maintain --partition [--prepare | --apply]}: turns a store created by the
 * unpartitioned schema ({@code job_id UUID PRIMARY KEY}) into the partitioned one of
 * sql/schema.sql, keeping every row where it is (docs/operations.md §3, "Time partitions").
 *
 * <p>The old table becomes one partition covering everything before a cut-over (the first day of
 * the month after next, UTC), month partitions follow it. The slow steps run while the job keeps
 * writing ({@code --prepare}, and the first part of {@code --apply}): rows without {@code
 * created_at} get one, a {@code CHECK (created_at < cut-over)} is added {@code NOT VALID} and then
 * validated (no write lock), a unique index on {@code (job_id, created_at)} is built concurrently,
 * and {@code jobs_ids} is filled in batches while a trigger keeps it in step with the old job's
 * writes (which may still change a row's {@code created_at}). The swap is one short transaction:
 * rename the old table and its indexes, create the partitioned parent with the schema's indexes and
 * trigger, attach the old table (the validated CHECK spares the scan), point {@code image_tags} at
 * {@code jobs_ids}, copy the grants. The job must be stopped (savepoint) for the swap and restarted
 * from this version: its sink statement is written for the partitioned table.
 */
public final class PartitionMigration {
    private static final String OLD = "image_process_jobs";
    private static final String CHECK = "image_process_jobs_before_cutover";
    private static final String KEY_INDEX = "image_process_jobs_job_created_key";
    private static final String FILLED = "filled from the unpartitioned image_process_jobs";
    private static final int BATCH = 10_000;

    /** What the run found or did. */
    record Report(String summary) {}

    private final Connection db;
    private final PrintStream out;

    PartitionMigration(Connection db, PrintStream out) {
        this.db = db;
        this.out = out;
    }

    /**
     * Migrates a store whose job is stopped (bin/rmbg local, before it starts its job) when it is
     * not partitioned yet, saying so on {@code out}; a partitioned store costs one catalog query.
     *
     * @return whether it migrated
     */
    public static boolean migrateIfUnpartitioned(Connection db, PrintStream out, Instant now)
            throws SQLException {
        if (MonthPartitions.partitioned(db) || !new PartitionMigration(db, out).exists(OLD)) {
            return false;
        }
        out.println(
                "Migrating image_process_jobs to month partitions (data from an earlier version;"
                        + " once) …");
        out.println(new PartitionMigration(db, out).run(false, true, now).summary());
        return true;
    }

    Report run(boolean prepare, boolean apply, Instant now) throws SQLException {
        if (MonthPartitions.partitioned(db)) {
            return new Report("image_process_jobs is partitioned already; nothing to do");
        }
        if (!exists(OLD)) {
            return new Report("no image_process_jobs table: apply sql/schema.sql first");
        }
        YearMonth cutMonth = YearMonth.from(now.atZone(ZoneOffset.UTC)).plusMonths(2);
        String cutover = cutMonth.atDay(1) + " 00:00:00+00";
        String partition =
                String.format(
                        "image_process_jobs_before_%04d_%02d",
                        cutMonth.getYear(), cutMonth.getMonthValue());
        long rows = estimate(OLD);
        if (!prepare && !apply) {
            out.printf(
                    "partition: %s is not partitioned (about %d rows); --apply would: validate"
                            + " CHECK (created_at < %s), build a unique index on (job_id,"
                            + " created_at) concurrently, fill jobs_ids in batches, then in one"
                            + " short transaction rename it to %s and attach it to a new"
                            + " partitioned image_process_jobs with month partitions from %s.%n",
                    OLD, rows, cutover, partition, cutMonth);
            out.println(
                    "partition: stop the job with a savepoint before --apply (or run --prepare"
                            + " first while it runs), then start this version's job from the"
                            + " savepoint (docs/operations.md §8)");
            return new Report("dry run, pass --apply to migrate");
        }
        db.setAutoCommit(true);
        prepareOnline(cutover);
        if (!apply) {
            return new Report(
                    "prepared: CHECK validated, key index built, jobs_ids filled and kept in step;"
                            + " stop the job with a savepoint and run --partition --apply");
        }
        swap(cutover, partition);
        try (Statement s = db.createStatement()) {
            // After the swap: checks every link has its id, without blocking writers.
            s.execute("ALTER TABLE image_tags VALIDATE CONSTRAINT image_tags_job_id_fkey");
        }
        return new Report(
                "image_process_jobs is partitioned by created_at; the old rows are partition "
                        + partition
                        + "; start the job of this version from its savepoint");
    }

    /** The steps that take no lock that blocks the job's writes; each can be run again. */
    private void prepareOnline(String cutover) throws SQLException {
        try (Statement s = db.createStatement()) {
            int fixed;
            do { // the new table's partition key cannot be NULL
                fixed =
                        s.executeUpdate(
                                "UPDATE image_process_jobs SET created_at = coalesce(completed_at,"
                                        + " now()) WHERE job_id IN (SELECT job_id FROM"
                                        + " image_process_jobs WHERE created_at IS NULL LIMIT "
                                        + BATCH
                                        + ")");
            } while (fixed > 0);
            if (!constraintExists(CHECK)) {
                s.execute(
                        "ALTER TABLE image_process_jobs ADD CONSTRAINT "
                                + CHECK
                                + " CHECK (created_at IS NOT NULL AND created_at < '"
                                + cutover
                                + "') NOT VALID");
            }
            s.execute("ALTER TABLE image_process_jobs VALIDATE CONSTRAINT " + CHECK);
            out.println("partition: CHECK (created_at < " + cutover + ") validated");
            if (!validIndex(KEY_INDEX)) {
                s.execute("DROP INDEX IF EXISTS " + KEY_INDEX); // left invalid by a stopped run
                s.execute(
                        "CREATE UNIQUE INDEX CONCURRENTLY "
                                + KEY_INDEX
                                + " ON image_process_jobs (job_id, created_at)");
            }
            out.println("partition: unique index on (job_id, created_at) ready");
            // From here on every write of the old job reaches jobs_ids too; a replay that moved a
            // row's created_at moves its id's with it.
            s.execute(
                    "CREATE OR REPLACE FUNCTION rmbg_migration_job_id() RETURNS trigger AS $$"
                            + " BEGIN INSERT INTO jobs_ids (job_id, user_id, created_at)"
                            + " VALUES (NEW.job_id, NEW.user_id, NEW.created_at)"
                            + " ON CONFLICT (job_id) DO UPDATE SET created_at = EXCLUDED.created_at;"
                            + " RETURN NULL; END $$ LANGUAGE plpgsql");
            if (!triggerExists("rmbg_migration_job_id")) {
                s.execute(
                        "CREATE TRIGGER rmbg_migration_job_id AFTER INSERT OR UPDATE OF"
                                + " created_at ON image_process_jobs FOR EACH ROW EXECUTE FUNCTION"
                                + " rmbg_migration_job_id()");
            }
        }
        if (!FILLED.equals(comment("jobs_ids"))) {
            fillIds();
            try (Statement s = db.createStatement()) {
                s.execute("COMMENT ON TABLE jobs_ids IS '" + FILLED + "'");
            }
        }
    }

    /** Batches in job_id order through the old primary key; ids the trigger wrote are kept. */
    private void fillIds() throws SQLException {
        String last = "00000000-0000-0000-0000-000000000000";
        long filled = 0;
        while (true) {
            try (PreparedStatement ps =
                    db.prepareStatement(
                            "WITH batch AS (SELECT job_id, user_id, created_at FROM"
                                    + " image_process_jobs WHERE job_id > ?::uuid ORDER BY job_id"
                                    + " LIMIT ?), ins AS (INSERT INTO jobs_ids SELECT * FROM batch"
                                    + " ON CONFLICT (job_id) DO NOTHING)"
                                    // no max(uuid) before PostgreSQL 18
                                    + " SELECT (SELECT job_id::text FROM batch ORDER BY job_id"
                                    + " DESC LIMIT 1), (SELECT count(*) FROM batch)")) {
                ps.setString(1, last);
                ps.setInt(2, BATCH);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getLong(2) == 0) {
                        break;
                    }
                    last = rs.getString(1);
                    filled += rs.getLong(2);
                }
            }
        }
        out.println("partition: jobs_ids filled from " + filled + " rows");
    }

    /** One short transaction: the job must be stopped (it would wait on the lock, then fail). */
    private void swap(String cutover, String partition) throws SQLException {
        List<String> grants = grants();
        db.setAutoCommit(false);
        try (Statement s = db.createStatement()) {
            s.execute("SET LOCAL lock_timeout = '10s'");
            s.execute("LOCK TABLE image_process_jobs, image_tags IN ACCESS EXCLUSIVE MODE");
            // The validated CHECK proves NOT NULL: no scan.
            s.execute("ALTER TABLE image_process_jobs ALTER COLUMN created_at SET NOT NULL");
            s.execute("DROP TRIGGER IF EXISTS rmbg_migration_job_id ON image_process_jobs");
            s.execute("DROP TRIGGER IF EXISTS rmbg_job_changes ON image_process_jobs");
            s.execute("DROP FUNCTION IF EXISTS rmbg_migration_job_id()");
            s.execute("ALTER TABLE image_tags DROP CONSTRAINT IF EXISTS image_tags_job_id_fkey");
            // A partition's primary key must be the parent's: the index built concurrently becomes
            // it (no scan, no build); job_id's uniqueness is jobs_ids' from here on.
            s.execute("ALTER TABLE image_process_jobs DROP CONSTRAINT image_process_jobs_pkey");
            s.execute(
                    "ALTER TABLE image_process_jobs ADD CONSTRAINT "
                            + KEY_INDEX
                            + " PRIMARY KEY USING INDEX "
                            + KEY_INDEX);
            for (String index : indexes()) { // the parent's indexes take the schema's names
                if (!index.equals(KEY_INDEX)) {
                    s.execute(
                            "ALTER INDEX " + index + " RENAME TO " + shortName(index + "_before"));
                }
            }
            // A new table's CHECK takes a name no other constraint has, and ATTACH matches CHECKs
            // by name: the old ones step aside, then take the names back once the parent has them.
            List<String> checks = checks();
            for (String check : checks) {
                s.execute(
                        "ALTER TABLE image_process_jobs RENAME CONSTRAINT "
                                + check
                                + " TO "
                                + shortName(check + "_before"));
            }
            s.execute("ALTER TABLE image_process_jobs RENAME TO " + partition);
            String schema = schemaSql();
            s.execute(
                    statement(
                            schema,
                            "(?s)CREATE TABLE IF NOT EXISTS image_process_jobs \\(.*?\\) PARTITION BY RANGE \\(created_at\\);"));
            Matcher indexes =
                    Pattern.compile(
                                    "(?m)^CREATE INDEX IF NOT EXISTS idx_jobs_\\w+ ON image_process_jobs[^;]*;")
                            .matcher(schema);
            while (indexes.find()) {
                s.execute(indexes.group());
            }
            for (String check : checks) {
                s.execute(
                        "ALTER TABLE "
                                + partition
                                + " RENAME CONSTRAINT "
                                + shortName(check + "_before")
                                + " TO "
                                + check);
            }
            s.execute(
                    "ALTER TABLE image_process_jobs ATTACH PARTITION "
                            + partition
                            + " FOR VALUES FROM (MINVALUE) TO ('"
                            + cutover
                            + "')");
            s.execute(
                    "CREATE TRIGGER rmbg_job_changes AFTER INSERT OR UPDATE ON image_process_jobs"
                            + " FOR EACH ROW EXECUTE FUNCTION rmbg_notify_job_change()");
            s.execute(
                    "ALTER TABLE image_tags ADD CONSTRAINT image_tags_job_id_fkey FOREIGN KEY"
                            + " (job_id) REFERENCES jobs_ids (job_id) ON DELETE CASCADE NOT VALID");
            for (String grant : grants) {
                s.execute(grant);
            }
            s.execute("SELECT rmbg_create_partitions(" + MonthPartitions.MONTHS_AHEAD + ")");
            s.execute("COMMENT ON TABLE jobs_ids IS NULL");
            db.commit();
            out.println("partition: swapped in one transaction; " + partition + " attached");
        } catch (SQLException e) {
            db.rollback();
            throw e;
        } finally {
            db.setAutoCommit(true);
        }
    }

    /** The old table's grants, for the parent and jobs_ids (the roles read and write both). */
    private List<String> grants() throws SQLException {
        List<String> grants = new ArrayList<>();
        try (Statement s = db.createStatement();
                ResultSet rs =
                        s.executeQuery(
                                "SELECT quote_ident(r.rolname), a.privilege_type FROM pg_class c,"
                                        + " aclexplode(c.relacl) a JOIN pg_roles r ON r.oid ="
                                        + " a.grantee WHERE c.oid = 'image_process_jobs'::regclass"
                                        + " AND a.grantee <> c.relowner")) {
            while (rs.next()) {
                String privilege = rs.getString(2);
                grants.add("GRANT " + privilege + " ON image_process_jobs TO " + rs.getString(1));
                if (List.of("SELECT", "INSERT", "UPDATE").contains(privilege)) {
                    grants.add("GRANT " + privilege + " ON jobs_ids TO " + rs.getString(1));
                }
            }
        }
        return grants;
    }

    /** The old table's CHECK constraints but the cut-over's. */
    private List<String> checks() throws SQLException {
        List<String> names = new ArrayList<>();
        try (Statement s = db.createStatement();
                ResultSet rs =
                        s.executeQuery(
                                "SELECT conname FROM pg_constraint WHERE contype = 'c' AND"
                                        + " conrelid = 'image_process_jobs'::regclass AND conname"
                                        + " <> '"
                                        + CHECK
                                        + "'")) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        return names;
    }

    private List<String> indexes() throws SQLException {
        List<String> names = new ArrayList<>();
        try (Statement s = db.createStatement();
                ResultSet rs =
                        s.executeQuery(
                                "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid ="
                                        + " i.indexrelid WHERE i.indrelid ="
                                        + " 'image_process_jobs'::regclass")) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        return names;
    }

    private static String shortName(String name) {
        return name.length() <= 63 ? name : name.substring(0, 63);
    }

    private static String statement(String schema, String regex) {
        Matcher m = Pattern.compile(regex).matcher(schema);
        if (!m.find()) {
            throw new IllegalStateException(
                    "sql/schema.sql has no partitioned image_process_jobs: rebuild this tool");
        }
        return m.group();
    }

    private static String schemaSql() {
        try {
            return Schema.sql();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private long estimate(String table) throws SQLException {
        return longValue(
                "SELECT greatest(reltuples, 0)::bigint FROM pg_class WHERE oid = '"
                        + table
                        + "'::regclass");
    }

    private boolean exists(String table) throws SQLException {
        return longValue("SELECT count(*) FROM pg_class WHERE oid = to_regclass('" + table + "')")
                > 0;
    }

    private boolean constraintExists(String name) throws SQLException {
        return longValue("SELECT count(*) FROM pg_constraint WHERE conname = '" + name + "'") > 0;
    }

    private boolean validIndex(String name) throws SQLException {
        return longValue(
                        "SELECT count(*) FROM pg_index WHERE indisvalid AND indexrelid ="
                                + " to_regclass('"
                                + name
                                + "')")
                > 0;
    }

    private boolean triggerExists(String name) throws SQLException {
        return longValue(
                        "SELECT count(*) FROM pg_trigger WHERE tgname = '"
                                + name
                                + "' AND tgrelid = 'image_process_jobs'::regclass")
                > 0;
    }

    private String comment(String table) throws SQLException {
        try (Statement s = db.createStatement();
                ResultSet rs =
                        s.executeQuery("SELECT obj_description('" + table + "'::regclass)")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private long longValue(String sql) throws SQLException {
        try (Statement s = db.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}

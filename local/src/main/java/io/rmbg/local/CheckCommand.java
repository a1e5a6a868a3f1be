package io.rmbg.local;

import io.rmbg.core.blob.BlobKind;
import io.rmbg.core.blob.S3BlobStore;
import io.rmbg.core.crypto.BlobSealer;
import io.rmbg.core.crypto.BrokenBlobException;
import io.rmbg.core.crypto.JobBlobReader;
import io.rmbg.core.error.ProcessingException;
import io.rmbg.job.config.PipelineConfig;

import java.io.IOException;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code bin/rmbg check [--since DAYS] [--repair]}: walks the terminal rows of {@code
 * image_process_jobs} and the {@code result_reuse} entries, reads every blob they reference and
 * reports each one that is missing from the store or whose bytes do not match its address (a sealed
 * blob must decrypt and authenticate under the master key). Each blob is read once however many
 * references share it.
 *
 * <p>{@code --repair} deletes the reuse entries that reference a broken blob (so no later job is
 * answered with it: the next job with that image recomputes and stores it again) and lists the
 * affected jobs on stdout, one id a line, for re-sending their events. Job rows are left as they
 * are: they record what happened.
 *
 * <p>Exit code: 0 nothing broken, 1 something broken (or the database or store could not be read),
 * 2 usage. Settings as for {@code bin/rmbg fetch}.
 */
public final class CheckCommand {
    static final String USAGE =
            "usage: bin/rmbg check [--since DAYS] [--repair] [--config FILE] [--KEY VALUE …]";
    private static final List<String> COLUMNS =
            List.of("original_path", "mask_path", "processed_path");

    private final PrintStream out;
    private final PrintStream err;

    CheckCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        System.exit(new CheckCommand(System.out, System.err).run(args, System.getenv()));
    }

    int run(String[] args, Map<String, String> env) {
        List<String> settings = new ArrayList<>();
        Integer sinceDays = null;
        boolean repair = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--repair")) {
                repair = true;
            } else if (arg.equals("--since") && i + 1 < args.length) {
                try {
                    sinceDays = Integer.parseInt(args[++i]);
                } catch (NumberFormatException e) {
                    sinceDays = -1;
                }
                if (sinceDays < 1) {
                    return usage("--since takes a positive number of days, got '" + args[i] + "'");
                }
            } else if (arg.startsWith("--") && i + 1 < args.length) {
                settings.add(arg);
                settings.add(args[++i]);
            } else {
                return usage("unexpected argument '" + arg + "'");
            }
        }
        PipelineConfig config;
        try {
            config = PipelineConfig.fromArgs(settings.toArray(String[]::new), env);
        } catch (IOException | IllegalArgumentException e) {
            return fail(e.getMessage());
        }
        try (Connection c =
                        DriverManager.getConnection(
                                config.jdbc().url(),
                                config.jdbc().user(),
                                config.jdbc().password());
                S3BlobStore store = new S3BlobStore(config.s3())) {
            return check(c, new Blobs(store, config), sinceDays, repair);
        } catch (SQLException e) {
            return fail(
                    "cannot read "
                            + config.jdbc().url()
                            + " ("
                            + e.getMessage()
                            + "). Is the stack running (bin/rmbg local)?");
        } catch (ProcessingException e) {
            return fail("cannot read the store, nothing was repaired: " + e.getMessage());
        }
    }

    private int check(Connection c, Blobs blobs, Integer sinceDays, boolean repair)
            throws SQLException, ProcessingException {
        String since =
                sinceDays == null ? "" : " AND created_at >= now() - make_interval(days => ?)";
        Set<String> affectedJobs = new LinkedHashSet<>();
        long jobs = 0;
        try (PreparedStatement ps =
                c.prepareStatement(
                        "SELECT job_id, user_id, original_path, mask_path, processed_path"
                                + " FROM image_process_jobs"
                                + " WHERE status IN ('completed', 'failed')"
                                + since
                                + " ORDER BY created_at")) {
            if (sinceDays != null) {
                ps.setInt(1, sinceDays);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    jobs++;
                    String job = rs.getString(1);
                    for (int i = 0; i < COLUMNS.size(); i++) {
                        Optional<BrokenBlobException> broken =
                                blobs.check(rs.getString(3 + i), rs.getString(2));
                        if (broken.isPresent()) {
                            report(broken.get(), "job " + job + " (" + COLUMNS.get(i) + ")");
                            affectedJobs.add(job);
                        }
                    }
                }
            }
        }
        List<String> brokenEntries = new ArrayList<>();
        long entries = 0;
        try (PreparedStatement ps =
                c.prepareStatement(
                        "SELECT reuse_key, original_path, mask_path, processed_path"
                                + " FROM result_reuse WHERE TRUE"
                                + since)) {
            if (sinceDays != null) {
                ps.setInt(1, sinceDays);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    entries++;
                    String key = rs.getString(1).trim();
                    for (int i = 0; i < COLUMNS.size(); i++) {
                        // Sensitive images are never offered for reuse: entries hold plain blobs.
                        Optional<BrokenBlobException> broken = blobs.check(rs.getString(2 + i), "");
                        if (broken.isPresent()) {
                            report(
                                    broken.get(),
                                    "reuse entry " + key + " (" + COLUMNS.get(i) + ")");
                            if (!brokenEntries.contains(key)) {
                                brokenEntries.add(key);
                            }
                        }
                    }
                }
            }
        }
        if (repair) {
            repair(c, brokenEntries, affectedJobs);
        }
        err.println(
                "rmbg check: "
                        + jobs
                        + " jobs and "
                        + entries
                        + " reuse entries, "
                        + blobs.checked()
                        + " distinct blobs: "
                        + blobs.missing()
                        + " missing, "
                        + blobs.corrupt()
                        + " corrupt"
                        + (blobs.unverified() == 0
                                ? ""
                                : "; "
                                        + blobs.unverified()
                                        + " sealed blobs not verified (set"
                                        + " RMBG_SECURITY_MASTER_KEY to check them)")
                        + (affectedJobs.isEmpty() && brokenEntries.isEmpty()
                                ? ""
                                : repair
                                        ? ""
                                        : "; run with --repair to drop the broken reuse entries"
                                                + " and list the affected jobs"));
        return affectedJobs.isEmpty() && brokenEntries.isEmpty() ? 0 : 1;
    }

    private void repair(Connection c, List<String> brokenEntries, Set<String> affectedJobs)
            throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement("DELETE FROM result_reuse WHERE reuse_key = ?")) {
            for (String key : brokenEntries) {
                ps.setString(1, key);
                ps.executeUpdate();
                err.println("rmbg check: deleted reuse entry " + key);
            }
        }
        if (!affectedJobs.isEmpty()) {
            err.println(
                    "rmbg check: jobs whose blobs are broken (stdout, one id a line): re-send their"
                            + " events with the same job_id to compute them again");
            affectedJobs.forEach(out::println);
        }
    }

    private void report(BrokenBlobException broken, String where) {
        String what =
                broken.problem() == BrokenBlobException.Problem.MISSING ? "missing" : "corrupt";
        err.println(what + "  " + broken.uri() + "  " + where + ": " + broken.getMessage());
    }

    private int usage(String problem) {
        err.println("rmbg check: " + problem);
        err.println(USAGE);
        return 2;
    }

    private int fail(String message) {
        err.println("rmbg check: " + message);
        return 1;
    }

    /** Reads each referenced blob once, remembering what it found. */
    private static final class Blobs {
        private final JobBlobReader reader;
        private final String bucketPrefix;
        private final Map<String, Optional<BrokenBlobException>> seen = new HashMap<>();
        private int missing;
        private int corrupt;
        private int unverified;

        Blobs(S3BlobStore store, PipelineConfig config) {
            this.reader = new JobBlobReader(store, config.sealer());
            this.bucketPrefix = "s3://" + config.s3().bucket() + "/";
        }

        /** What is wrong with the blob {@code uri}, empty when nothing (or not a stored blob). */
        Optional<BrokenBlobException> check(String uri, String owner) throws ProcessingException {
            if (!isJobBlob(uri)) {
                return Optional.empty(); // null, an image_uri of a failed job, or "inline:"
            }
            if (!reader.canVerify(uri)) {
                if (seen.putIfAbsent(uri, Optional.empty()) == null) {
                    unverified++;
                }
                return Optional.empty();
            }
            // A sealed blob's address depends on its owner; plain blobs are shared.
            String key = BlobSealer.isSealed(uri) ? uri + "\u0000" + owner : uri;
            Optional<BrokenBlobException> known = seen.get(key);
            if (known != null) {
                return known;
            }
            Optional<BrokenBlobException> found;
            try {
                reader.read(uri, owner);
                found = Optional.empty();
            } catch (BrokenBlobException e) {
                found = Optional.of(e);
                if (e.problem() == BrokenBlobException.Problem.MISSING) {
                    missing++;
                } else {
                    corrupt++;
                }
            }
            seen.put(key, found);
            return found;
        }

        private boolean isJobBlob(String uri) {
            if (uri == null || !uri.startsWith(bucketPrefix)) {
                return false;
            }
            String key = uri.substring(bucketPrefix.length());
            return key.startsWith(BlobKind.ORIGINAL.prefix() + "/")
                    || key.startsWith(BlobKind.MASK.prefix() + "/")
                    || key.startsWith(BlobKind.PROCESSED.prefix() + "/");
        }

        int checked() {
            return seen.size();
        }

        int missing() {
            return missing;
        }

        int corrupt() {
            return corrupt;
        }

        int unverified() {
            return unverified;
        }
    }
}

package io.rmbg.local;

import io.rmbg.core.blob.BlobKind;
import io.rmbg.core.blob.S3BlobStore;
import io.rmbg.core.crypto.BrokenBlobException;
import io.rmbg.core.crypto.JobBlobReader;
import io.rmbg.core.error.ProcessingException;
import io.rmbg.job.config.PipelineConfig;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * {@code bin/rmbg fetch JOB_ID [--what cutout|mask|original] -o FILE}: writes one blob of a job to
 * FILE, so that nobody hand-builds S3 requests. The job's row (PostgreSQL) names the blob; the blob
 * is read from the results bucket, checked against its content address and, when the image was
 * sensitive, decrypted. FILE is written only when every check passed. Settings as for the job:
 * {@code --config FILE}, {@code RMBG_*} variables (the master key in {@code
 * RMBG_SECURITY_MASTER_KEY}) and {@code --KEY VALUE}; the defaults reach {@code bin/rmbg local}.
 */
public final class FetchCommand {
    static final String USAGE =
            "usage: bin/rmbg fetch JOB_ID [--what cutout|mask|original] -o FILE"
                    + " [--config FILE] [--KEY VALUE …]";

    private final PrintStream err;

    FetchCommand(PrintStream err) {
        this.err = err;
    }

    public static void main(String[] args) {
        System.exit(new FetchCommand(System.err).run(args, System.getenv()));
    }

    /** The exit code: 0 written, 1 the job or its blob could not be fetched, 2 usage. */
    int run(String[] args, Map<String, String> env) {
        List<String> settings = new ArrayList<>();
        String jobId = null;
        String what = "cutout";
        Path file = null;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            boolean hasValue = i + 1 < args.length;
            if ((arg.equals("-o") || arg.equals("--output")) && hasValue) {
                file = Path.of(args[++i]);
            } else if (arg.equals("--what") && hasValue) {
                what = args[++i].toLowerCase(Locale.ROOT);
            } else if (arg.startsWith("--") && hasValue) {
                settings.add(arg);
                settings.add(args[++i]);
            } else if (jobId == null && !arg.startsWith("-")) {
                jobId = arg;
            } else {
                return usage("unexpected argument '" + arg + "'");
            }
        }
        if (jobId == null || file == null) {
            return usage(jobId == null ? "JOB_ID is missing" : "-o FILE is missing");
        }
        String column = column(what);
        if (column == null) {
            return usage("--what must be cutout, mask or original, got '" + what + "'");
        }
        UUID id;
        try {
            id = UUID.fromString(jobId);
        } catch (IllegalArgumentException e) {
            return usage("JOB_ID must be a job's UUID, got '" + jobId + "'");
        }
        PipelineConfig config;
        try {
            config = PipelineConfig.fromArgs(settings.toArray(String[]::new), env);
        } catch (IOException | IllegalArgumentException e) {
            return fail(e.getMessage());
        }
        try {
            return fetch(config, id, what, column, file);
        } catch (SQLException e) {
            return fail(
                    "cannot read the job from "
                            + config.jdbc().url()
                            + " ("
                            + e.getMessage()
                            + "). Is the stack running (bin/rmbg local)? Set RMBG_JDBC_URL,"
                            + " RMBG_JDBC_USER and RMBG_JDBC_PASSWORD for another database");
        }
    }

    private int fetch(PipelineConfig config, UUID id, String what, String column, Path file)
            throws SQLException {
        JobRow row;
        try (Connection c =
                DriverManager.getConnection(
                        config.jdbc().url(), config.jdbc().user(), config.jdbc().password())) {
            row = JobRow.read(c, id, column);
        }
        if (row == null) {
            return fail("no job " + id + " in " + config.jdbc().url());
        }
        if (!row.status().equals("completed") && !row.status().equals("failed")) {
            return fail("job " + id + " is still " + row.status() + "; try again once it is done");
        }
        String uri = row.path();
        String stored = "s3://" + config.s3().bucket() + "/" + BlobKind.ORIGINAL.prefix() + "/";
        if (uri == null || (what.equals("original") && !uri.startsWith(stored))) {
            String reason =
                    row.status().equals("failed")
                            ? "it failed (" + row.errorCode() + ": " + row.errorMessage() + ")"
                            : "its result has none";
            String source = uri == null ? "" : "; its source was " + uri;
            return fail("job " + id + " has no stored " + what + ": " + reason + source);
        }
        byte[] bytes;
        try (S3BlobStore store = new S3BlobStore(config.s3())) {
            bytes = new JobBlobReader(store, config.sealer()).read(uri, row.userId());
        } catch (BrokenBlobException | IllegalStateException e) {
            return fail(e.getMessage());
        } catch (ProcessingException e) {
            return fail("cannot read " + uri + ": " + e.getMessage());
        }
        try {
            Path tmp =
                    Files.createTempFile(file.toAbsolutePath().getParent(), ".rmbg-fetch", ".tmp");
            Files.write(tmp, bytes);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            return fail("cannot write " + file + ": " + e.getMessage());
        }
        err.println(
                "rmbg fetch: wrote the "
                        + what
                        + " of job "
                        + id
                        + " ("
                        + bytes.length
                        + " bytes, checked against "
                        + uri
                        + ") to "
                        + file);
        return 0;
    }

    private static String column(String what) {
        return switch (what) {
            case "cutout" -> "processed_path";
            case "mask" -> "mask_path";
            case "original" -> "original_path";
            default -> null;
        };
    }

    private int usage(String problem) {
        err.println("rmbg fetch: " + problem);
        err.println(USAGE);
        return 2;
    }

    private int fail(String message) {
        err.println("rmbg fetch: " + message);
        return 1;
    }

    /** What fetch needs of a job's row. */
    private record JobRow(
            String userId, String status, String path, String errorCode, String errorMessage) {

        static JobRow read(Connection c, UUID id, String column) throws SQLException {
            // column is one of three fixed names (column()), never user text.
            try (PreparedStatement ps =
                    c.prepareStatement(
                            "SELECT user_id, status, "
                                    + column
                                    + ", error_code, error_message FROM image_process_jobs"
                                    + " WHERE job_id = ?")) {
                ps.setObject(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return null;
                    }
                    return new JobRow(
                            rs.getString(1),
                            rs.getString(2),
                            rs.getString(3),
                            rs.getString(4),
                            rs.getString(5));
                }
            }
        }
    }
}

package io.rmbg.ops;

import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Blob garbage collection, mark and sweep: deletes the blobs of the bucket that no job row ({@code
 * original_path}, {@code mask_path}, {@code processed_path}) and no {@code result_reuse} entry
 * names and that were last written longer ago than the grace period. Orphans come from timeouts,
 * failures after the original was stored, and replays.
 *
 * <p>What keeps a blob that a job is writing right now: blobs are content-addressed and the job
 * always PUTs (never skips an existing key), so a blob a running job stores or re-uses has a fresh
 * LastModified and is younger than the grace period until long after that job's row is written (the
 * grace must exceed the longest a job can take from storing its original to its row: retries,
 * back-pressure and a restart included; 24 h by default). A job that reuses an earlier result
 * writes no blob, but the {@code result_reuse} entry it found names them, and entries are only
 * removed once their blobs are gone.
 *
 * <p>Overlapping runs are safe: just before each delete the candidate's LastModified is read again
 * (HEAD) and the database asked again whether anything names it; S3 deletes are idempotent. What
 * remains is the milliseconds between that last check and the DELETE; bucket versioning (see
 * README) keeps a deleted blob recoverable as a noncurrent version for that case.
 *
 * <p>{@code dead-letters/} blobs are named only by records of the dead-letter topic, never by a
 * row: they are swept by age alone, with their own grace (default 7 days, Kafka's default topic
 * retention: once the record is gone, nothing can name the blob). {@code uploads/} (the users'
 * sources) is never touched.
 */
public final class BlobGc {
    /** The prefixes whose blobs rows and reuse entries name. */
    static final List<String> REFERENCED_PREFIXES = List.of("original/", "mask/", "processed/");

    static final String DEAD_LETTER_PREFIX = "dead-letters/";

    /** How many candidates one re-check query covers. */
    private static final int RECHECK_BATCH = 500;

    private static final String REFERENCED =
            "SELECT original_path FROM image_process_jobs"
                    + " UNION SELECT mask_path FROM image_process_jobs WHERE mask_path IS NOT NULL"
                    + " UNION SELECT processed_path FROM image_process_jobs"
                    + " WHERE processed_path IS NOT NULL"
                    + " UNION SELECT original_path FROM result_reuse"
                    + " UNION SELECT mask_path FROM result_reuse"
                    + " UNION SELECT processed_path FROM result_reuse";

    private static final String STILL_REFERENCED =
            "SELECT original_path FROM image_process_jobs WHERE original_path = ANY (?)"
                    + " UNION SELECT mask_path FROM image_process_jobs WHERE mask_path = ANY (?)"
                    + " UNION SELECT processed_path FROM image_process_jobs"
                    + " WHERE processed_path = ANY (?)"
                    + " UNION SELECT original_path FROM result_reuse WHERE original_path = ANY (?)"
                    + " UNION SELECT mask_path FROM result_reuse WHERE mask_path = ANY (?)"
                    + " UNION SELECT processed_path FROM result_reuse WHERE processed_path = ANY (?)";

    /** What to collect; {@code apply == false} only reports. */
    public record Options(boolean apply, Duration grace, Duration deadLetterGrace) {
        public static final Duration DEFAULT_GRACE = Duration.ofHours(24);
        public static final Duration DEFAULT_DEAD_LETTER_GRACE = Duration.ofDays(7);

        public Options {
            if (grace.isNegative() || deadLetterGrace.isNegative()) {
                throw new IllegalArgumentException("grace periods cannot be negative");
            }
        }
    }

    /** What one run found and did. */
    public record Report(
            long scanned,
            long scannedBytes,
            long referenced,
            long tooYoung,
            long candidates,
            long candidateBytes,
            long deleted,
            long deletedBytes,
            long keptOnRecheck) {}

    private final S3Client s3;
    private final String bucket;
    private final Connection db;

    private final Runnable afterScan;

    public BlobGc(S3Client s3, String bucket, Connection db) {
        this(s3, bucket, db, () -> {});
    }

    /** {@code afterScan} runs between the scan and the sweep: tests write there as a job would. */
    BlobGc(S3Client s3, String bucket, Connection db, Runnable afterScan) {
        this.s3 = s3;
        this.bucket = bucket;
        this.db = db;
        this.afterScan = afterScan;
    }

    public Report run(Options options, Instant now) throws SQLException {
        Set<String> marked = mark();
        Counts n = new Counts();
        List<S3Object> candidates = new ArrayList<>();
        Instant cutoff = now.minus(options.grace());
        for (String prefix : REFERENCED_PREFIXES) {
            for (S3Object o : list(prefix)) {
                n.scanned++;
                n.scannedBytes += o.size();
                if (marked.contains(o.key())) {
                    n.referenced++;
                } else if (!o.lastModified().isBefore(cutoff)) {
                    n.tooYoung++;
                } else {
                    candidates.add(o);
                }
            }
        }
        Instant deadLetterCutoff = now.minus(options.deadLetterGrace());
        List<S3Object> deadLetters = new ArrayList<>();
        for (S3Object o : list(DEAD_LETTER_PREFIX)) {
            n.scanned++;
            n.scannedBytes += o.size();
            if (o.lastModified().isBefore(deadLetterCutoff)) {
                deadLetters.add(o);
            } else {
                n.tooYoung++;
            }
        }
        n.candidates = candidates.size() + deadLetters.size();
        for (S3Object o : candidates) {
            n.candidateBytes += o.size();
        }
        for (S3Object o : deadLetters) {
            n.candidateBytes += o.size();
        }
        afterScan.run();
        if (options.apply()) {
            for (int i = 0; i < candidates.size(); i += RECHECK_BATCH) {
                List<S3Object> batch =
                        candidates.subList(i, Math.min(candidates.size(), i + RECHECK_BATCH));
                Set<String> again = stillReferenced(batch);
                for (S3Object o : batch) {
                    if (again.contains(o.key())) {
                        n.keptOnRecheck++;
                    } else {
                        delete(o, cutoff, n);
                    }
                }
            }
            for (S3Object o : deadLetters) {
                delete(o, deadLetterCutoff, n);
            }
        }
        return n.report();
    }

    /** The keys in this bucket that a row or a reuse entry names. */
    private Set<String> mark() throws SQLException {
        Set<String> keys = new HashSet<>();
        boolean auto = db.getAutoCommit();
        db.setAutoCommit(
                false); // lets the driver stream the rows (fetch size) instead of loading all
        try (Statement s = db.createStatement()) {
            s.setFetchSize(10_000);
            try (ResultSet rs = s.executeQuery(REFERENCED)) {
                while (rs.next()) {
                    String key = keyInBucket(rs.getString(1));
                    if (key != null) {
                        keys.add(key);
                    }
                }
            }
        } finally {
            db.rollback(); // read only: ends the transaction, also after a failure
            db.setAutoCommit(auto);
        }
        return keys;
    }

    private Set<String> stillReferenced(List<S3Object> batch) throws SQLException {
        String[] uris = batch.stream().map(o -> uri(o.key())).toArray(String[]::new);
        Set<String> keys = new HashSet<>();
        try (PreparedStatement ps = db.prepareStatement(STILL_REFERENCED)) {
            Array array = db.createArrayOf("varchar", uris);
            for (int i = 1; i <= 6; i++) {
                ps.setArray(i, array);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    keys.add(keyInBucket(rs.getString(1)));
                }
            }
        }
        return keys;
    }

    /** Deletes {@code o} unless it was written again since it was listed. */
    private void delete(S3Object o, Instant cutoff, Counts n) {
        HeadObjectResponse head;
        try {
            head = s3.headObject(b -> b.bucket(bucket).key(o.key()));
        } catch (NoSuchKeyException e) {
            return; // another run deleted it
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return;
            }
            throw e;
        }
        if (!head.lastModified().isBefore(cutoff)) {
            n.keptOnRecheck++; // a job stored it again: it is in use
            return;
        }
        s3.deleteObject(b -> b.bucket(bucket).key(o.key()));
        n.deleted++;
        n.deletedBytes += o.size();
    }

    private Iterable<S3Object> list(String prefix) {
        return s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents();
    }

    private String uri(String key) {
        return "s3://" + bucket + "/" + key;
    }

    /** The key of {@code uri} when it names a blob of this bucket, else null. */
    private String keyInBucket(String uri) {
        String prefix = "s3://" + bucket + "/";
        return uri != null && uri.startsWith(prefix) ? uri.substring(prefix.length()) : null;
    }

    private static final class Counts {
        long scanned;
        long scannedBytes;
        long referenced;
        long tooYoung;
        long candidates;
        long candidateBytes;
        long deleted;
        long deletedBytes;
        long keptOnRecheck;

        Report report() {
            return new Report(
                    scanned,
                    scannedBytes,
                    referenced,
                    tooYoung,
                    candidates,
                    candidateBytes,
                    deleted,
                    deletedBytes,
                    keptOnRecheck);
        }
    }
}

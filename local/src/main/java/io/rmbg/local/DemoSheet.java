package io.rmbg.local;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Collects the demo's photo jobs as their results arrive and, once every one has ended, writes the
 * {@link ContactSheet} of those that completed. Thread-safe.
 */
final class DemoSheet {
    private final List<String> jobIds;
    private final Path file;
    private final Map<String, ContactSheet.Row> rows = new HashMap<>();
    private final Set<String> endedJobs = new HashSet<>();

    DemoSheet(List<String> jobIds, Path file) {
        this.jobIds = List.copyOf(jobIds);
        this.file = file;
    }

    boolean expects(String jobId) {
        return jobIds.contains(jobId);
    }

    /** Reads a blob by its {@code s3://} URI. */
    @FunctionalInterface
    interface BlobReader {
        byte[] read(String uri) throws Exception;
    }

    /**
     * Takes one trace from {@code image-results}: if it is one of the demo's photo jobs, records it
     * (reading its original and cut-out with {@code blobs}). Returns the sheet's path once the last
     * photo job has ended.
     */
    Optional<Path> offer(JsonNode trace, BlobReader blobs) throws Exception {
        String jobId = trace.path("job_id").asText();
        if (!expects(jobId)) {
            return Optional.empty();
        }
        ContactSheet.Row row = null;
        if ("completed".equals(trace.path("status").asText())) {
            row =
                    new ContactSheet.Row(
                            blobs.read(trace.path("original").path("uri").asText()),
                            blobs.read(trace.path("processed").path("uri").asText()));
        }
        return ended(jobId, row);
    }

    /**
     * Records that {@code jobId} ended, with its row ({@code null} when it failed). Returns the
     * sheet's path when this was the last of the demo's jobs.
     */
    private synchronized Optional<Path> ended(String jobId, ContactSheet.Row row) {
        if (!expects(jobId) || !endedJobs.add(jobId)) {
            return Optional.empty(); // not ours, or a second result for the same job
        }
        if (row != null) {
            rows.put(jobId, row);
        }
        if (endedJobs.size() != jobIds.size()) {
            return Optional.empty();
        }
        List<ContactSheet.Row> ordered = new ArrayList<>();
        jobIds.stream().map(rows::get).filter(r -> r != null).forEach(ordered::add);
        try {
            return Optional.of(ContactSheet.write(ordered, file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the contact sheet " + file, e);
        }
    }
}

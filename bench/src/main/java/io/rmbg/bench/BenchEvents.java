package io.rmbg.bench;

import io.rmbg.core.records.ImageEvent;
import io.rmbg.core.records.ImageParams;

import java.util.List;
import java.util.UUID;

import static java.nio.charset.StandardCharsets.UTF_8;

/** The benchmark's events: the {@code i}-th names one of the in-memory JPEGs, in turn. */
final class BenchEvents {
    private BenchEvents() {}

    static ImageEvent event(long i, List<String> uris) {
        long now = System.currentTimeMillis();
        String jobId = UUID.nameUUIDFromBytes(("bench-" + i).getBytes(UTF_8)).toString();
        return new ImageEvent(
                jobId,
                "bench",
                uris.get((int) (i % uris.size())),
                null,
                ImageParams.DEFAULTS,
                null,
                new String[0],
                now,
                now,
                "bench/0@" + i);
    }
}

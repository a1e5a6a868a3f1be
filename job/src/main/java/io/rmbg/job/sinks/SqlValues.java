package io.rmbg.job.sinks;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/** Conversions shared by the statements: TIMESTAMPTZ parameters are bound as UTC instants. */
final class SqlValues {
    private SqlValues() {}

    static OffsetDateTime utc(long epochMillis) {
        return OffsetDateTime.ofInstant(Instant.ofEpochMilli(epochMillis), ZoneOffset.UTC);
    }
}

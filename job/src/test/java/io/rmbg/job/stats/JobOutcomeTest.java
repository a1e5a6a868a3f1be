package io.rmbg.job.stats;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class JobOutcomeTest {
    private static final Duration SKEW = Duration.ofMinutes(5);
    private static final long DONE = Instant.parse("2026-12-02T10:00:00Z").toEpochMilli();

    @Test
    void aJobCountsAtItsCreatedAtWhenThatIsNotInTheFuture() {
        long yesterday = DONE - Duration.ofDays(1).toMillis();
        assertThat(JobOutcome.eventTime(yesterday, DONE, SKEW)).isEqualTo(yesterday);
        assertThat(JobOutcome.eventTime(DONE + SKEW.toMillis(), DONE, SKEW))
                .isEqualTo(DONE + SKEW.toMillis());
    }

    @Test
    void aFutureDatedJobCountsAtItsCompletionPlusTheAllowedSkew() {
        long nextYear = Instant.parse("2027-12-02T10:00:00Z").toEpochMilli();
        assertThat(JobOutcome.eventTime(nextYear, DONE, SKEW)).isEqualTo(DONE + SKEW.toMillis());
        assertThat(
                        JobOutcome.eventTime(
                                Instant.parse("9999-12-31T23:59:59Z").toEpochMilli(), DONE, SKEW))
                .isEqualTo(DONE + SKEW.toMillis());
    }
}

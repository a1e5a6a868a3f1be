package io.rmbg.udf.sql;

import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.within;

/** Expected values are PostgreSQL's percentile_cont for the same inputs. */
class PercentileTest {
    private static final Offset<Double> EXACT = within(1e-9);

    private final Percentile percentile = new Percentile();

    @Test
    void interpolatesBetweenTheNearestValues() throws Exception {
        // percentile_cont(0.5) of 100, 200, 300, 400: position 1.5 → 250
        assertThat(of(0.5, 400L, 100L, 300L, 200L)).isCloseTo(250.0, EXACT);
        // position 0.95 * 3 = 2.85 → 300 + 0.85 * 100
        assertThat(of(0.95, 400L, 100L, 300L, 200L)).isCloseTo(385.0, EXACT);
        // odd count: the median is the middle value
        assertThat(of(0.5, 90L, 1000L, 110L, 400L, 100L)).isCloseTo(110.0, EXACT);
        // position 0.95 * 4 = 3.8 → 400 + 0.8 * 600
        assertThat(of(0.95, 90L, 1000L, 110L, 400L, 100L)).isCloseTo(880.0, EXACT);
    }

    @Test
    void theEndsAreMinimumAndMaximum() throws Exception {
        assertThat(of(0.0, 7L, 3L, 5L)).isEqualTo(3.0);
        assertThat(of(1.0, 7L, 3L, 5L)).isEqualTo(7.0);
        assertThat(of(0.3, 42L)).isEqualTo(42.0);
    }

    @Test
    void countsDuplicates() throws Exception {
        // 10, 10, 10, 20: position 0.5 * 3 = 1.5 lies between two tens
        assertThat(of(0.5, 10L, 20L, 10L, 10L)).isEqualTo(10.0);
        // position 0.9 * 3 = 2.7 → 10 + 0.7 * 10
        assertThat(of(0.9, 10L, 20L, 10L, 10L)).isCloseTo(17.0, EXACT);
    }

    @Test
    void acceptsIntBigintAndDouble() throws Exception {
        Percentile.Accumulator acc = percentile.createAccumulator();
        percentile.accumulate(acc, 1, 0.5);
        percentile.accumulate(acc, 2L, 0.5);
        percentile.accumulate(acc, 4.5, 0.5);
        assertThat(percentile.getValue(acc)).isEqualTo(2.0);
    }

    @Test
    void skipsNullsAndIsNullForAnEmptyGroup() throws Exception {
        Percentile.Accumulator acc = percentile.createAccumulator();
        assertThat(percentile.getValue(acc)).isNull();
        percentile.accumulate(acc, (Long) null, 0.5);
        assertThat(percentile.getValue(acc)).isNull();
        percentile.accumulate(acc, 8L, 0.5);
        percentile.accumulate(acc, (Long) null, 0.5);
        assertThat(percentile.getValue(acc)).isEqualTo(8.0);
    }

    @Test
    void retractsValues() throws Exception {
        Percentile.Accumulator acc = accumulate(0.5, 1L, 2L, 3L, 100L);
        percentile.retract(acc, 100L, 0.5);
        assertThat(percentile.getValue(acc)).isEqualTo(2.0);
        percentile.retract(acc, 2L, 0.5);
        assertThat(percentile.getValue(acc)).isEqualTo(2.0); // between 1 and 3
        percentile.retract(acc, 1L, 0.5);
        percentile.retract(acc, 3L, 0.5);
        assertThat(percentile.getValue(acc)).isNull();
        // a retraction of something never added changes nothing
        percentile.retract(acc, 5L, 0.5);
        percentile.accumulate(acc, 6L, 0.5);
        assertThat(percentile.getValue(acc)).isEqualTo(6.0);
    }

    @Test
    void mergesPartialGroups() throws Exception {
        Percentile.Accumulator acc = accumulate(0.5, 100L, 300L);
        percentile.merge(acc, List.of(accumulate(0.5, 200L, 400L), percentile.createAccumulator()));
        assertThat(percentile.getValue(acc)).isCloseTo(250.0, EXACT);
        assertThat(acc.size).isEqualTo(4);
    }

    @Test
    void resetsTheAccumulator() throws Exception {
        Percentile.Accumulator acc = accumulate(0.5, 1L, 2L);
        percentile.resetAccumulator(acc);
        assertThat(percentile.getValue(acc)).isNull();
        percentile.accumulate(acc, 9L, 0.9);
        assertThat(percentile.getValue(acc)).isEqualTo(9.0);
    }

    @Test
    void refusesAFractionOutsideZeroToOne() {
        Percentile.Accumulator acc = percentile.createAccumulator();
        assertThatIllegalArgumentException()
                .isThrownBy(() -> percentile.accumulate(acc, 1L, 95.0))
                .withMessageContaining("between 0 and 1");
        assertThatIllegalArgumentException().isThrownBy(() -> percentile.accumulate(acc, 1L, -0.1));
        assertThatIllegalArgumentException().isThrownBy(() -> percentile.accumulate(acc, 1L, null));
    }

    @Test
    void refusesDifferentFractionsInOneGroup() throws Exception {
        Percentile.Accumulator acc = accumulate(0.5, 1L);
        assertThatIllegalArgumentException()
                .isThrownBy(() -> percentile.accumulate(acc, 2L, 0.9))
                .withMessageContaining("same for every row");
    }

    private Double of(double p, long... values) throws Exception {
        return percentile.getValue(accumulate(p, values));
    }

    private Percentile.Accumulator accumulate(double p, long... values) throws Exception {
        Percentile.Accumulator acc = percentile.createAccumulator();
        for (long v : values) {
            percentile.accumulate(acc, v, p);
        }
        return acc;
    }
}

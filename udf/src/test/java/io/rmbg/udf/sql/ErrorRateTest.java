package io.rmbg.udf.sql;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;

import static org.assertj.core.api.Assertions.assertThat;

class ErrorRateTest {
    private final ErrorRate errorRate = new ErrorRate();

    @Test
    void isAPercentageWithTwoDecimals() {
        assertThat(errorRate.eval(1L, 4L)).isEqualTo(new BigDecimal("25.00"));
        assertThat(errorRate.eval(3L, 5L)).isEqualTo(new BigDecimal("60.00"));
        assertThat(errorRate.eval(0L, 7L)).isEqualTo(new BigDecimal("0.00"));
        assertThat(errorRate.eval(9L, 9L)).isEqualTo(new BigDecimal("100.00"));
    }

    @Test
    void roundsHalfUp() {
        assertThat(errorRate.eval(1L, 6L)).isEqualTo(new BigDecimal("16.67")); // 16.666…
        assertThat(errorRate.eval(1L, 3L)).isEqualTo(new BigDecimal("33.33")); // 33.333…
        assertThat(errorRate.eval(1L, 8L)).isEqualTo(new BigDecimal("12.50")); // exact
        assertThat(errorRate.eval(1L, 1600L)).isEqualTo(new BigDecimal("0.06")); // 0.0625: half up
        assertThat(errorRate.eval(1L, 11L)).isEqualTo(new BigDecimal("9.09")); // 9.0909…
    }

    @Test
    void isNullWithoutJobs() {
        assertThat(errorRate.eval(0L, 0L)).isNull();
        assertThat(errorRate.eval(null, 3L)).isNull();
        assertThat(errorRate.eval(1L, null)).isNull();
    }

    @Test
    void fitsTheStatsTablesColumnType() {
        assertThat(errorRate.eval(2L, 3L).precision()).isLessThanOrEqualTo(5);
        assertThat(errorRate.eval(2L, 3L).scale()).isEqualTo(2);
    }
}

package io.rmbg.udf.sql;

import org.apache.flink.table.annotation.DataTypeHint;
import org.apache.flink.table.functions.ScalarFunction;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * {@code error_rate(failed, total)}: {@code failed * 100 / total} as a percentage with two
 * decimals, rounded half up — the same number as {@code processing_stats.error_rate}
 * (docs/contracts.md §5). NULL when {@code total} is 0 or either argument is NULL. Works for any
 * share (a code's share of a day's jobs, say), not only failures.
 *
 * <pre>{@code
 * CREATE TEMPORARY FUNCTION error_rate AS 'io.rmbg.udf.sql.ErrorRate';
 * SELECT error_rate(COUNT(*) FILTER (WHERE status = 'failed'), COUNT(*)) FROM image_process_jobs;
 * }</pre>
 */
public final class ErrorRate extends ScalarFunction {
    private static final long serialVersionUID = 1L;

    private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);

    /** INT arguments (the stats table's counts) widen to BIGINT implicitly. */
    public @DataTypeHint("DECIMAL(5, 2)") BigDecimal eval(Long failed, Long total) {
        if (failed == null || total == null || total == 0) {
            return null;
        }
        // Exact decimal arithmetic: 1/6 must round to 16.67, not drift through a double.
        return BigDecimal.valueOf(failed)
                .multiply(HUNDRED)
                .divide(BigDecimal.valueOf(total), 2, RoundingMode.HALF_UP);
    }
}

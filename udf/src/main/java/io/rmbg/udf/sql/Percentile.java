package io.rmbg.udf.sql;

import org.apache.flink.table.annotation.DataTypeHint;
import org.apache.flink.table.annotation.FunctionHint;
import org.apache.flink.table.api.dataview.MapView;
import org.apache.flink.table.functions.AggregateFunction;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code percentile(value, p)}: the exact continuous percentile of a group, interpolated linearly
 * between the two nearest values like PostgreSQL's {@code percentile_cont(p) WITHIN GROUP (ORDER BY
 * value)}. {@code value} is {@code INT}, {@code BIGINT} or {@code DOUBLE}; {@code p} is a fraction
 * in [0, 1] and must be the same for every row of a group. NULL values are skipped; a group without
 * values gives NULL.
 *
 * <pre>{@code
 * CREATE TEMPORARY FUNCTION percentile AS 'io.rmbg.udf.sql.Percentile';
 * SELECT percentile(processing_time_ms, 0.95) FROM image_results;
 * }</pre>
 *
 * <p>Exact means every distinct value is kept: the accumulator is a {@link MapView} of value to
 * count, which Flink backs by its state backend in streaming jobs rather than one big object per
 * group. Supports retraction (updating inputs) and merging (two-phase aggregation).
 */
@FunctionHint(output = @DataTypeHint("DOUBLE"))
public final class Percentile extends AggregateFunction<Double, Percentile.Accumulator> {
    private static final long serialVersionUID = 1L;

    /** A multiset of the group's values and the fraction asked for. */
    public static final class Accumulator {
        /** Value to how many times it occurs: duplicates (equal timings) cost one entry. */
        public MapView<Double, Long> counts = new MapView<>();

        /** How many values, duplicates included. */
        public long size;

        /** The fraction of the first row; {@code null} until a row arrived. */
        public Double fraction;
    }

    @Override
    public Accumulator createAccumulator() {
        return new Accumulator();
    }

    public void accumulate(Accumulator acc, Double value, Double p) throws Exception {
        checkFraction(acc, p);
        if (value != null) {
            add(acc, value, 1);
        }
    }

    public void accumulate(Accumulator acc, Long value, Double p) throws Exception {
        accumulate(acc, value == null ? null : value.doubleValue(), p);
    }

    public void accumulate(Accumulator acc, Integer value, Double p) throws Exception {
        accumulate(acc, value == null ? null : value.doubleValue(), p);
    }

    public void retract(Accumulator acc, Double value, Double p) throws Exception {
        if (value != null) {
            add(acc, value, -1);
        }
    }

    public void retract(Accumulator acc, Long value, Double p) throws Exception {
        retract(acc, value == null ? null : value.doubleValue(), p);
    }

    public void retract(Accumulator acc, Integer value, Double p) throws Exception {
        retract(acc, value == null ? null : value.doubleValue(), p);
    }

    public void merge(Accumulator acc, Iterable<Accumulator> others) throws Exception {
        for (Accumulator other : others) {
            if (other.fraction != null) {
                checkFraction(acc, other.fraction);
            }
            for (Map.Entry<Double, Long> e : other.counts.entries()) {
                add(acc, e.getKey(), e.getValue());
            }
        }
    }

    public void resetAccumulator(Accumulator acc) {
        acc.counts.clear();
        acc.size = 0;
        acc.fraction = null;
    }

    @Override
    public Double getValue(Accumulator acc) {
        if (acc.size <= 0 || acc.fraction == null) {
            return null;
        }
        try {
            List<Map.Entry<Double, Long>> sorted = new ArrayList<>();
            for (Map.Entry<Double, Long> e : acc.counts.entries()) {
                sorted.add(Map.entry(e.getKey(), e.getValue()));
            }
            sorted.sort(Map.Entry.comparingByKey());
            return interpolate(sorted, acc.size, acc.fraction);
        } catch (Exception e) {
            throw new IllegalStateException("percentile: cannot read the accumulator", e);
        }
    }

    /**
     * The value at position {@code p * (size - 1)} of the sorted values, interpolated between its
     * neighbours (percentile_cont).
     *
     * @param sorted distinct values in ascending order with their counts, summing to {@code size}
     */
    static double interpolate(List<Map.Entry<Double, Long>> sorted, long size, double p) {
        double position = p * (size - 1);
        long lower = (long) Math.floor(position);
        long upper = (long) Math.ceil(position);
        double lowerValue = valueAt(sorted, lower);
        double upperValue = upper == lower ? lowerValue : valueAt(sorted, upper);
        return lowerValue + (position - lower) * (upperValue - lowerValue);
    }

    private static double valueAt(List<Map.Entry<Double, Long>> sorted, long index) {
        long seen = 0;
        for (Map.Entry<Double, Long> e : sorted) {
            seen += e.getValue();
            if (index < seen) {
                return e.getKey();
            }
        }
        throw new IllegalStateException(
                "percentile: index " + index + " beyond " + seen + " values");
    }

    private static void add(Accumulator acc, double value, long delta) throws Exception {
        Long count = acc.counts.get(value);
        long before = count == null ? 0 : count;
        // Never below zero: an updating input does not retract what it never sent, and a
        // negative count would corrupt every later position.
        long after = Math.max(0, before + delta);
        if (after > 0) {
            acc.counts.put(value, after);
        } else if (count != null) {
            acc.counts.remove(value);
        }
        acc.size += after - before;
    }

    private static void checkFraction(Accumulator acc, Double p) {
        if (p == null || p.isNaN() || p < 0 || p > 1) {
            throw new IllegalArgumentException(
                    "percentile: p must be a fraction between 0 and 1, got " + p);
        }
        if (acc.fraction == null) {
            acc.fraction = p;
        } else if (!acc.fraction.equals(p)) {
            throw new IllegalArgumentException(
                    "percentile: p must be the same for every row of a group, got "
                            + acc.fraction
                            + " and "
                            + p);
        }
    }
}

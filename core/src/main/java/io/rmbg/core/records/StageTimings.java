package io.rmbg.core.records;

/**
 * Milliseconds spent in each stage of one job; a stage that did not run is 0. {@code queue} is the
 * time between the event entering the pipeline and its processing starting.
 */
public record StageTimings(
        long queue,
        long fetch,
        long decode,
        long inference,
        long postprocess,
        long encode,
        long store) {

    public static final StageTimings NONE = new StageTimings(0, 0, 0, 0, 0, 0, 0);
}

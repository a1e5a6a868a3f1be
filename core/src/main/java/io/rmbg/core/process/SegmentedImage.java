package io.rmbg.core.process;

/**
 * A job after inference: the model's map at model resolution ({@code maskWidth} × {@code
 * maskHeight}). {@code probabilities} leaves the model thread raw and is turned into 0..1 in place
 * ({@code SegmentationModel.activate}) on the CPU pool before {@link JobProcessor#finish} reads it.
 * {@code inferenceMs} is the wall time of the model call that ran it (its whole batch).
 */
public record SegmentedImage(
        DecodedImage decoded,
        float[] probabilities,
        int maskWidth,
        int maskHeight,
        String model,
        String modelVersion,
        long inferenceMs) {}

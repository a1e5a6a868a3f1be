package io.rmbg.udf.process;

/**
 * A job after inference: the model's probability map at model resolution ({@code maskWidth} ×
 * {@code maskHeight}, values 0..1).
 */
public record SegmentedImage(
        DecodedImage decoded,
        float[] probabilities,
        int maskWidth,
        int maskHeight,
        String model,
        String modelVersion,
        long inferenceMs) {}

package io.rmbg.core.inference;

/**
 * How to turn a model's raw output into a 0..1 probability map, and the maths that does it. A
 * {@link ModelProfile} names one; {@link ActivationResolver} settles {@link #AUTO} when a model
 * loads.
 */
public enum OutputActivation {
    /**
     * Decide at load time: look at the graph, or probe the model (see {@link ActivationResolver}).
     */
    AUTO("auto"),
    /** The output is logits: apply the logistic function. */
    SIGMOID("sigmoid"),
    /** The output already is a probability (the graph ends in Sigmoid); only clamp to 0..1. */
    NONE("none"),
    /**
     * Rescale each image's output so its minimum becomes 0 and its maximum 1, as rembg does for
     * U²-Net-style models whose side outputs are not calibrated probabilities.
     */
    MIN_MAX("min-max");

    private final String label;

    OutputActivation(String label) {
        this.label = label;
    }

    /** The name logs use, e.g. {@code "min-max"}. */
    public String label() {
        return label;
    }

    /**
     * Applies this activation to {@code map} in place and clamps into 0..1 (NaN becomes 0). Returns
     * how many raw values were NaN or infinite, counted in the pass that reads them anyway.
     * Thread-safe.
     *
     * @throws IllegalStateException for {@link #AUTO}, which must be resolved at load time
     */
    public int apply(float[] map) {
        int nonFinite = 0;
        switch (this) {
            case SIGMOID -> {
                for (int i = 0; i < map.length; i++) {
                    float v = map[i];
                    nonFinite += Float.isFinite(v) ? 0 : 1;
                    map[i] = (float) (1.0 / (1.0 + Math.exp(-v)));
                }
            }
            case MIN_MAX -> {
                float min = Float.POSITIVE_INFINITY;
                float max = Float.NEGATIVE_INFINITY;
                for (float v : map) {
                    nonFinite += Float.isFinite(v) ? 0 : 1;
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                }
                // A flat map has no contrast to stretch: keep its values (clamped) rather than
                // divide by 0.
                if (max - min > 0f && Float.isFinite(max - min)) {
                    float range = max - min;
                    for (int i = 0; i < map.length; i++) {
                        map[i] = (map[i] - min) / range;
                    }
                }
            }
            case NONE -> {}
            case AUTO -> throw new IllegalStateException("AUTO must be resolved at load time");
        }
        int nonFiniteClamped = 0;
        for (int i = 0; i < map.length; i++) {
            float v = map[i];
            nonFiniteClamped += Float.isFinite(v) ? 0 : 1;
            map[i] = v >= 0f ? Math.min(v, 1f) : 0f; // also maps NaN to 0
        }
        // Without an activation the clamp is the pass that reads the raw values.
        return this == NONE ? nonFiniteClamped : nonFinite;
    }
}

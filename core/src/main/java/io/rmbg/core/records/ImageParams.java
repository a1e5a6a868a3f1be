package io.rmbg.core.records;

/**
 * The recognised keys of an event's {@code params} (docs/contracts.md §1); unknown keys stay in the
 * stored JSON and are ignored here.
 *
 * @param model profile name, or {@code null} for the job's default
 * @param threshold binarise the mask at this value (0..1), or {@code null} for soft alpha
 * @param background {@code #RRGGBB} to fill behind the subject, or {@code null} for transparency
 * @param postProcessMask whether to clean the mask up morphologically
 * @param reuse whether an identical earlier result may be served instead of running the model
 *     (default true)
 * @param sensitive whether the image is sensitive: never served from, nor offered to, the result
 *     reuse index (default false)
 */
public record ImageParams(
        String model,
        Double threshold,
        String background,
        boolean postProcessMask,
        boolean reuse,
        boolean sensitive) {

    public static final ImageParams DEFAULTS = new ImageParams(null, null, null, false);

    /** Reusable, not sensitive. */
    public ImageParams(String model, Double threshold, String background, boolean postProcessMask) {
        this(model, threshold, background, postProcessMask, true, false);
    }
}

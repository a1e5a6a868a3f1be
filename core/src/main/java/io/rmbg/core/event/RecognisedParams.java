package io.rmbg.core.event;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rmbg.core.records.ImageParams;

import java.util.List;
import java.util.regex.Pattern;

/**
 * The {@code params} the job acts on (docs/contracts.md §1: {@code model}, {@code threshold},
 * {@code background}, {@code post_process_mask}, {@code reuse}, {@code sensitive}); other keys are
 * kept in the row and ignored here.
 */
final class RecognisedParams {
    private static final Pattern HEX_COLOUR = Pattern.compile("#[0-9a-fA-F]{6}");

    private RecognisedParams() {}

    /** Reads the recognised keys of {@code p}; each invalid one adds a line to {@code problems}. */
    static ImageParams read(ObjectNode p, List<String> problems) {
        String model = null;
        Double threshold = null;
        String background = null;
        boolean postProcess = false;
        boolean reuse = true;
        boolean sensitive = false;
        JsonNode v;
        if ((v = p.get("model")) != null && !v.isNull()) {
            if (!v.isTextual() || v.textValue().isBlank()) {
                problems.add("params.model must be a profile name");
            } else {
                model = v.textValue();
            }
        }
        if ((v = p.get("threshold")) != null && !v.isNull()) {
            if (!v.isNumber() || v.doubleValue() < 0 || v.doubleValue() > 1) {
                problems.add("params.threshold must be a number from 0 to 1");
            } else {
                threshold = v.doubleValue();
            }
        }
        if ((v = p.get("background")) != null && !v.isNull()) {
            if (!v.isTextual() || !HEX_COLOUR.matcher(v.textValue()).matches()) {
                problems.add("params.background must be a colour like #RRGGBB");
            } else {
                background = v.textValue();
            }
        }
        if ((v = p.get("post_process_mask")) != null && !v.isNull()) {
            if (!v.isBoolean()) {
                problems.add("params.post_process_mask must be true or false");
            } else {
                postProcess = v.booleanValue();
            }
        }
        if ((v = p.get("reuse")) != null && !v.isNull()) {
            if (!v.isBoolean()) {
                problems.add("params.reuse must be true or false");
            } else {
                reuse = v.booleanValue();
            }
        }
        if ((v = p.get("sensitive")) != null && !v.isNull()) {
            if (!v.isBoolean()) {
                problems.add("params.sensitive must be true or false");
            } else {
                sensitive = v.booleanValue();
            }
        }
        return new ImageParams(model, threshold, background, postProcess, reuse, sensitive);
    }
}

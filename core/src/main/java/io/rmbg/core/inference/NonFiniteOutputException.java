package io.rmbg.core.inference;

import io.rmbg.core.error.ErrorCode;
import io.rmbg.core.error.ProcessingException;

/**
 * The model answered NaN or infinity for an image. Its mask would be meaningless (NaN reads as
 * fully transparent), so the job fails as {@code INFERENCE} instead of completing with an empty
 * cut-out; the operator counts these in its {@code nonFiniteOutputs} metric.
 */
public final class NonFiniteOutputException extends ProcessingException {
    private static final long serialVersionUID = 1L;

    public NonFiniteOutputException(String model, int nonFinite, int values) {
        super(
                ErrorCode.INFERENCE,
                "model "
                        + model
                        + " produced "
                        + nonFinite
                        + " non-finite values (NaN or"
                        + " infinity) of "
                        + values
                        + " for this image; its weights, export or model.profile"
                        + " (input normalisation) are likely wrong");
    }
}

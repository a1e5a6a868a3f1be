package io.rmbg.core.process;

import java.util.concurrent.atomic.AtomicReference;

/**
 * One job while a slot works on it: how to withdraw it, and its stored original once it has one, so
 * that a failure after that point (the model, the mask, a store, a timeout) still reports the
 * original, its size and the timings so far (docs/contracts.md §5: {@code original_path} is the
 * source only when the original could not be stored).
 */
final class JobInFlight {
    private final Cancellation cancellation = new Cancellation();
    private final AtomicReference<DecodedImage> decoded = new AtomicReference<>();

    Cancellation cancellation() {
        return cancellation;
    }

    void decoded(DecodedImage image) {
        decoded.set(image);
    }

    /** The job's decoded image with its stored original, or null before that. */
    DecodedImage decoded() {
        return decoded.get();
    }
}

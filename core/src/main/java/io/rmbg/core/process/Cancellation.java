package io.rmbg.core.process;

import io.rmbg.core.error.ErrorCode;
import io.rmbg.core.error.ProcessingException;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One job's "stop": set when the job's result is already decided (Flink's async timeout fired), so
 * that its stages not yet started are skipped: no decode, no place in a model batch, no blob
 * written after the row says {@code INFERENCE_TIMEOUT}. Stages check it before they start; work
 * that cannot be interrupted (a running decode or model call) finishes and is thrown away.
 *
 * <p>Thread-safe; cancelling is idempotent.
 */
public final class Cancellation {
    /** Never cancelled: for callers that run a job to its end (tests, the benchmark). */
    public static final Cancellation NONE = new Cancellation();

    private final CompletableFuture<String> cancelled = new CompletableFuture<>();

    /** Cancels the job; {@code reason} ends up in the failure of the stage that notices. */
    public void cancel(String reason) {
        if (this != NONE) {
            cancelled.complete(reason);
        }
    }

    public boolean isCancelled() {
        return cancelled.isDone();
    }

    /**
     * Runs {@code action} once the job is cancelled (at once if it already is), on the cancelling
     * thread.
     */
    public void onCancel(Runnable action) {
        cancelled.thenRun(action);
    }

    /**
     * @throws ProcessingException {@code INFERENCE_TIMEOUT} naming {@code stage}, if cancelled
     */
    public void throwIfCancelled(String stage) throws ProcessingException {
        if (isCancelled()) {
            throw new ProcessingException(
                    ErrorCode.INFERENCE_TIMEOUT,
                    "skipped " + stage + ": " + cancelled.getNow("the job was cancelled"));
        }
    }

    /** Sleeps {@code millis}, or less when the job is cancelled meanwhile (then throws). */
    public void sleep(long millis, String stage) throws ProcessingException, InterruptedException {
        try {
            cancelled.get(millis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return;
        } catch (ExecutionException e) {
            throw new IllegalStateException(e); // never completed exceptionally
        }
        throwIfCancelled(stage);
    }
}

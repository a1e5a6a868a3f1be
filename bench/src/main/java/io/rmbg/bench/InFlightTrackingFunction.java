package io.rmbg.bench;

import org.apache.flink.streaming.api.functions.async.ResultFuture;

import io.rmbg.core.records.ImageEvent;
import io.rmbg.core.records.JobResult;
import io.rmbg.job.functions.BackgroundRemovalFunction;

/**
 * The function under test, unchanged, noting when each element enters it (see {@link InFlight}):
 * the operator registers the element's timeout just before it calls {@link #asyncInvoke}.
 */
final class InFlightTrackingFunction extends BackgroundRemovalFunction {
    private static final long serialVersionUID = 1L;

    InFlightTrackingFunction(BackgroundRemovalFunction function) {
        super(function);
    }

    @Override
    public void asyncInvoke(ImageEvent event, ResultFuture<JobResult> resultFuture) {
        InFlight.started(event.jobId());
        super.asyncInvoke(event, resultFuture);
    }
}

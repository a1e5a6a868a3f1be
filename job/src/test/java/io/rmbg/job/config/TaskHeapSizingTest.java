package io.rmbg.job.config;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessSpec;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessUtils;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The task heap that {@code conf/config.yaml} gives each slot holds the worst case the job's
 * default settings allow: the decoded images the memory budget admits, plus what the budget does
 * not count (source bytes in flight, the postprocess stage's mask, cut-out and PNG), plus Flink's
 * and the connectors' own use. Flink computes the heap here exactly as a TaskManager does.
 */
class TaskHeapSizingTest {
    private static final long MIB = 1 << 20;

    /**
     * Flink's network stack, Kafka and JDBC clients, model output maps: measured well below this.
     */
    private static final long OVERHEAD = 512 * MIB;

    /** Mask (1), cut-out raster (4) and its PNG (up to 4) per pixel while one image is finished. */
    private static final long POSTPROCESS_BYTES_PER_PIXEL = 9;

    @Test
    void theDefaultsWorstCaseFitsTheTaskHeapOfASlot() {
        Configuration flink =
                GlobalConfiguration.loadConfiguration(Path.of("..", "conf").toString());
        TaskExecutorProcessSpec spec = TaskExecutorProcessUtils.processSpecFromConfig(flink);
        long heapPerSlot =
                spec.getTaskHeapSize().getBytes() / flink.get(TaskManagerOptions.NUM_TASK_SLOTS);

        PipelineConfig job = PipelineConfig.defaults();
        long worstCase =
                job.memoryBudgetBytes()
                        + job.get(InferenceSettings.CAPACITY)
                                * job.get(InferenceSettings.IMAGE_MAX_SOURCE_BYTES)
                        + (long) job.get(InferenceSettings.POSTPROCESS_THREADS)
                                * POSTPROCESS_BYTES_PER_PIXEL
                                * job.get(InferenceSettings.IMAGE_MAX_PIXELS)
                        + OVERHEAD;

        assertThat(worstCase / MIB)
                .as("worst case per slot (MiB) within the task heap per slot (MiB)")
                .isLessThanOrEqualTo(heapPerSlot / MIB);
    }

    @Test
    void theBudgetAdmitsTheLargestImageTheLimitsAllow() {
        PipelineConfig job = PipelineConfig.defaults();
        // Otherwise images between the budget and image.max-pixels would always fail as too large.
        assertThat(job.memoryBudgetBytes())
                .isGreaterThanOrEqualTo(8 * job.get(InferenceSettings.IMAGE_MAX_PIXELS));
    }
}

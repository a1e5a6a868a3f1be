package io.rmbg.local;

import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.operators.async.AsyncWaitOperatorFactory;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;

import io.rmbg.core.blob.InMemoryBlobStore;
import io.rmbg.core.inference.ExecutionDevice;
import io.rmbg.core.inference.ModelProfile;
import io.rmbg.core.inference.SegmentationModel;
import io.rmbg.core.process.ModelOptions;
import io.rmbg.core.process.RemoverSettings;
import io.rmbg.core.records.ImageEvent;
import io.rmbg.core.records.ImageParams;
import io.rmbg.core.records.JobResult;
import io.rmbg.core.records.JobStatus;
import io.rmbg.job.functions.BackgroundRemovalFunction;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The real IS-Net model (fetched by the project's own {@code NpmModelFetcher} into the user's
 * cache) on real photos, through the real async operator: each cut-out keeps the subject, drops the
 * background and stays close to its golden mask.
 */
class RealModelFunctionTest {
    private static Path model;

    @BeforeAll
    static void fetchModel() throws Exception {
        model = RealPhotos.model();
    }

    @Test
    void cutsTheSubjectOutOfRealPhotos() throws Exception {
        ModelOptions options = new ModelOptions(model.toString(), "isnet", "cpu", 1);
        BackgroundRemovalFunction function =
                new BackgroundRemovalFunction(
                        InMemoryBlobStore::new, options, RemoverSettings.defaults(2));
        var harness =
                new OneInputStreamOperatorTestHarness<ImageEvent, JobResult>(
                        new AsyncWaitOperatorFactory<>(
                                function, 300_000, 4, AsyncDataStream.OutputMode.UNORDERED),
                        TypeInformation.of(ImageEvent.class)
                                .createSerializer(new SerializerConfigImpl()));
        harness.open();
        long ts = 0;
        for (RealPhotos.Photo photo : RealPhotos.TESTED.values()) {
            harness.processElement(new StreamRecord<>(event(photo.name()), ts++));
        }
        harness.endInput();
        harness.close();

        Map<String, JobResult> results =
                harness.extractOutputValues().stream()
                        .collect(Collectors.toMap(JobResult::jobId, Function.identity()));
        assertThat(results).hasSize(RealPhotos.TESTED.size());
        for (RealPhotos.Photo photo : RealPhotos.TESTED.values()) {
            JobResult r = results.get(id(photo.name()));
            assertThat(r.status())
                    .as(photo.name() + ": " + r.errorMessage())
                    .isEqualTo(JobStatus.COMPLETED);
            assertThat(r.model()).isEqualTo("isnet");
            assertThat(r.imageWidth()).isEqualTo(photo.width());
            RealPhotos.checkMask(photo, InMemoryBlobStore.OBJECTS.get(r.mask().uri()));
        }
    }

    @Test
    void theLoadTimeCheckStillNamesWhatDiffers() {
        ModelProfile wrongSize = ModelProfile.ISNET.toBuilder().inputSize(512).build();

        assertThatThrownBy(() -> SegmentationModel.load(model, wrongSize, ExecutionDevice.CPU, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("does not fit profile 'isnet'")
                .hasMessageContaining("expected one input of float [N, 3, 512, 512]")
                .hasMessageContaining("found 'input' float [1, 3, 1024, 1024]");
    }

    private static ImageEvent event(String photo) {
        return new ImageEvent(
                id(photo),
                "user",
                null,
                Base64.getEncoder().encodeToString(SamplePhotos.jpeg(photo)),
                ImageParams.DEFAULTS,
                null,
                new String[0],
                0L,
                System.currentTimeMillis(),
                "test/0@0");
    }

    private static String id(String photo) {
        return UUID.nameUUIDFromBytes(photo.getBytes()).toString();
    }
}

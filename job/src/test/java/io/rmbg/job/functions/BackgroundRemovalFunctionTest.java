package io.rmbg.job.functions;

import org.apache.flink.api.common.externalresource.ExternalResourceInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.operators.async.AsyncWaitOperatorFactory;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.tasks.mailbox.Mail;
import org.apache.flink.streaming.runtime.tasks.mailbox.TaskMailbox;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;

import io.rmbg.core.blob.ContentAddress;
import io.rmbg.core.blob.GatedBlobStore;
import io.rmbg.core.blob.InMemoryBlobStore;
import io.rmbg.core.error.ErrorCode;
import io.rmbg.core.image.ImageProbe;
import io.rmbg.core.process.MemoryBudget;
import io.rmbg.core.process.ModelOptions;
import io.rmbg.core.process.RemoverSettings;
import io.rmbg.core.records.ImageEvent;
import io.rmbg.core.records.ImageParams;
import io.rmbg.core.records.JobResult;
import io.rmbg.core.records.JobStatus;
import io.rmbg.testkit.SyntheticModels;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The async operator around the real model: results complete as they finish, close() frees all. */
class BackgroundRemovalFunctionTest {
    @TempDir static Path dir;
    private static ModelOptions model;

    @BeforeAll
    static void writeModel() throws Exception {
        Path file = dir.resolve("colour-key.onnx");
        SyntheticModels.writeColourKeyModel(file, 1024);
        model = new ModelOptions(file.toString(), "rmbg-2.0", "cpu", 1);
    }

    @Test
    void completesEveryElementAndReleasesTheSessionOnClose() throws Exception {
        BackgroundRemovalFunction function =
                new BackgroundRemovalFunction(
                        InMemoryBlobStore::new, model, RemoverSettings.defaults(2));
        var harness = harness(function, 60_000, 8);
        harness.open();
        assertThat(function.isModelOpen()).isTrue();

        harness.processElement(new StreamRecord<>(event("big", png(900, 700)), 1));
        harness.processElement(new StreamRecord<>(event("small", png(40, 30)), 2));
        harness.processElement(new StreamRecord<>(event("broken", "not an image".getBytes()), 3));
        harness.processElement(
                new StreamRecord<>(uriEvent("missing", "s3://test/original/nope.png"), 4));
        harness.endInput();
        harness.close();

        Map<String, JobResult> results =
                harness.extractOutputValues().stream()
                        .collect(Collectors.toMap(JobResult::jobId, Function.identity()));
        assertThat(results).containsOnlyKeys(id("big"), id("small"), id("broken"), id("missing"));
        assertThat(results.get(id("big")).status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(results.get(id("small")).status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(results.get(id("broken")).errorCode()).isEqualTo(ErrorCode.UNSUPPORTED_FORMAT);
        assertThat(results.get(id("missing")).errorCode()).isEqualTo(ErrorCode.SOURCE_NOT_FOUND);

        JobResult big = results.get(id("big"));
        assertThat(big.imageWidth()).isEqualTo(900);
        assertThat(big.model()).isEqualTo("rmbg-2.0");
        assertThat(big.modelVersion()).isNotBlank();
        byte[] cutOutPng = InMemoryBlobStore.OBJECTS.get(big.processed().uri());
        assertThat(big.processed().sha256()).isEqualTo(ContentAddress.sha256Hex(cutOutPng));
        BufferedImage cutOut = ImageIO.read(new ByteArrayInputStream(cutOutPng));
        assertThat(cutOut.getRGB(450, 350) >>> 24).as("centre of the red disc").isGreaterThan(240);
        assertThat(cutOut.getRGB(5, 5) >>> 24).as("blue corner").isLessThan(15);

        assertThat(function.isModelOpen()).isFalse();
        assertThat(InMemoryBlobStore.closed).isTrue();
    }

    @Test
    void imagesArrivingTogetherShareOneModelCall() throws Exception {
        // The batch fills (4 images) long before its 30 s timeout: a batch of 4 is the only way
        // these complete quickly.
        BackgroundRemovalFunction function =
                new BackgroundRemovalFunction(
                        InMemoryBlobStore::new,
                        model,
                        RemoverSettings.defaults(2).withBatching(4, 30_000));
        var harness = harness(function, 60_000, 8);
        harness.open();

        for (int i = 0; i < 4; i++) {
            harness.processElement(
                    new StreamRecord<>(event("batched-" + i, png(320 + 40 * i, 240)), i));
        }
        harness.endInput();
        long largestBatch = function.largestBatchSoFar();
        harness.close();

        assertThat(harness.extractOutputValues())
                .hasSize(4)
                .allSatisfy(r -> assertThat(r.status()).isEqualTo(JobStatus.COMPLETED))
                .allSatisfy(r -> assertThat(r.imageHeight()).isEqualTo(240));
        assertThat(largestBatch).isEqualTo(4);
        assertThat(function.isModelOpen()).isFalse();
    }

    @Test
    void loadsAnAdditionalModelWhenAnEventAsksForItAndKeepsItsSession() throws Exception {
        Path u2net = dir.resolve("u2net-sized.onnx");
        SyntheticModels.writeColourKeyModel(u2net, 320);
        ModelOptions served =
                model.withAdditionalModels(
                        Map.of(
                                "u2net", u2net.toString(),
                                "isnet", dir.resolve("no-such-model.onnx").toString()));
        BackgroundRemovalFunction function =
                new BackgroundRemovalFunction(
                        InMemoryBlobStore::new, served, RemoverSettings.defaults(2));
        var harness = harness(function, 60_000, 8);
        harness.open();
        assertThat(function.loadedModels()).containsExactly("rmbg-2.0");

        harness.processElement(new StreamRecord<>(event("default", png(300, 200), null), 1));
        harness.processElement(new StreamRecord<>(event("u2net-1", png(300, 200), "u2net"), 2));
        harness.processElement(new StreamRecord<>(event("u2net-2", png(200, 300), "U2Net"), 3));
        harness.processElement(new StreamRecord<>(event("not-served", png(64, 64), "rmbg-1.4"), 4));
        harness.processElement(new StreamRecord<>(event("unknown", png(64, 64), "sam-2"), 5));
        harness.processElement(new StreamRecord<>(event("missing-file", png(64, 64), "isnet"), 6));
        harness.endInput();
        List<String> loaded = function.loadedModels();
        harness.close();

        Map<String, JobResult> results =
                harness.extractOutputValues().stream()
                        .collect(Collectors.toMap(JobResult::jobId, Function.identity()));
        assertThat(loaded).containsExactlyInAnyOrder("rmbg-2.0", "u2net");
        assertThat(results.get(id("default")).model()).isEqualTo("rmbg-2.0");
        for (String name : List.of("u2net-1", "u2net-2")) {
            JobResult r = results.get(id(name));
            assertThat(r.status()).as(name).isEqualTo(JobStatus.COMPLETED);
            assertThat(r.model()).isEqualTo("u2net");
            assertThat(r.modelVersion()).isNotEqualTo(results.get(id("default")).modelVersion());
            // The colour key still finds the disc through the 320² model and U²-Net's min-max
            // output.
            BufferedImage cutOut =
                    ImageIO.read(
                            new ByteArrayInputStream(
                                    InMemoryBlobStore.OBJECTS.get(r.processed().uri())));
            assertThat(cutOut.getRGB(cutOut.getWidth() / 2, cutOut.getHeight() / 2) >>> 24)
                    .isGreaterThan(240);
            assertThat(cutOut.getRGB(2, 2) >>> 24).isLessThan(15);
        }
        assertThat(results.get(id("not-served")).errorCode()).isEqualTo(ErrorCode.INVALID_EVENT);
        assertThat(results.get(id("not-served")).errorMessage())
                .contains("rmbg-1.4", "model.additional");
        assertThat(results.get(id("unknown")).errorCode()).isEqualTo(ErrorCode.INVALID_EVENT);
        assertThat(results.get(id("unknown")).errorMessage()).contains("known profiles");
        assertThat(results.get(id("missing-file")).errorCode()).isEqualTo(ErrorCode.INFERENCE);
        assertThat(results.get(id("missing-file")).errorMessage())
                .contains("isnet", "cannot be loaded");
        assertThat(function.loadedModels()).isEmpty();
    }

    @Test
    void aDefaultModelThatCannotLoadFailsOpenSayingWhy() throws Exception {
        ModelOptions missing =
                new ModelOptions(dir.resolve("absent.onnx").toString(), "rmbg-2.0", "cpu", 1);
        BackgroundRemovalFunction function =
                new BackgroundRemovalFunction(
                        InMemoryBlobStore::new, missing, RemoverSettings.defaults(2));
        var harness = harness(function, 60_000, 8);

        assertThatThrownBy(harness::open)
                .hasMessageContaining("model file not found")
                .hasMessageContaining("absent.onnx");
        assertThat(function.isModelOpen()).isFalse();
    }

    @Test
    void aTimedOutJobStopsAndWritesNoBlobAfterItsTimeoutRow() throws Exception {
        GatedBlobStore.reset();
        InMemoryBlobStore.OBJECTS.put("s3://test/in/slow.png", png(400, 300));
        BackgroundRemovalFunction function =
                new BackgroundRemovalFunction(
                        GatedBlobStore::new, model, RemoverSettings.defaults(2));
        var harness = harness(function, 1_000);
        harness.open();

        harness.processElement(new StreamRecord<>(uriEvent("slow", "s3://test/in/slow.png"), 1));
        assertThat(GatedBlobStore.reading.await(20, TimeUnit.SECONDS)).isTrue();
        harness.setProcessingTime(1_001); // Flink's async timeout fires while the fetch hangs
        runMails(harness);
        assertThat(harness.extractOutputValues())
                .singleElement()
                .satisfies(r -> assertThat(r.errorCode()).isEqualTo(ErrorCode.INFERENCE_TIMEOUT));

        GatedBlobStore.gate.countDown(); // the fetch returns after the row was decided
        harness.endInput();
        MemoryBudget budget = function.memoryBudget();
        harness.close(); // waits for the pools: whatever the job still did, it did before this

        assertThat(harness.extractOutputValues()).hasSize(1);
        assertThat(GatedBlobStore.PUTS).as("no original, mask or cut-out stored").isEmpty();
        assertThat(budget.peakInUse()).as("never admitted to decode").isZero();
    }

    @Test
    void aSmallMemoryBudgetSerialisesLargeImagesAndAllComplete() throws Exception {
        long oneImage = MemoryBudget.decodeCost(ImageProbe.probe(png(1200, 900)));
        long budgetBytes = oneImage + oneImage / 2; // room for one decoded image at a time
        BackgroundRemovalFunction function =
                new BackgroundRemovalFunction(
                        InMemoryBlobStore::new,
                        model,
                        RemoverSettings.defaults(4)
                                .withThreads(4, 2)
                                .withBatching(4, 10)
                                .withMemoryBudget(budgetBytes));
        var harness = harness(function, 120_000);
        harness.open();

        int images = 10;
        for (int i = 0; i < images; i++) {
            harness.processElement(new StreamRecord<>(event("large-" + i, png(1200, 900)), i));
        }
        harness.processElement(new StreamRecord<>(event("over-budget", png(4000, 3000)), images));
        harness.endInput();
        MemoryBudget budget = function.memoryBudget();
        harness.close();

        Map<String, JobResult> results =
                harness.extractOutputValues().stream()
                        .collect(Collectors.toMap(JobResult::jobId, Function.identity()));
        for (int i = 0; i < images; i++) {
            assertThat(results.get(id("large-" + i)).status())
                    .as("large-" + i)
                    .isEqualTo(JobStatus.COMPLETED);
        }
        JobResult over = results.get(id("over-budget"));
        assertThat(over.errorCode()).isEqualTo(ErrorCode.IMAGE_TOO_LARGE);
        assertThat(over.errorMessage()).contains("inference.memory-budget-mb");
        assertThat(budget.peakInUse()).as("one decoded image at a time").isEqualTo(oneImage);
        assertThat(budget.available()).as("every lease returned").isEqualTo(budgetBytes);
    }

    @Test
    void aModelAnsweringNanFailsEachImageAsInferenceAndCountsIt() throws Exception {
        Path nan = dir.resolve("nan.onnx");
        SyntheticModels.writeNanModel(nan, 1024);
        BackgroundRemovalFunction function =
                new BackgroundRemovalFunction(
                        InMemoryBlobStore::new,
                        new ModelOptions(nan.toString(), "rmbg-2.0", "cpu", 1),
                        RemoverSettings.defaults(2));
        var harness = harness(function, 60_000);
        harness.open();

        harness.processElement(new StreamRecord<>(event("nan-1", png(300, 200)), 1));
        harness.processElement(new StreamRecord<>(event("nan-2", png(200, 300)), 2));
        harness.endInput();
        long counted = function.nonFiniteOutputsSoFar();
        harness.close();

        assertThat(harness.extractOutputValues())
                .hasSize(2)
                .allSatisfy(
                        r -> {
                            assertThat(r.status()).isEqualTo(JobStatus.FAILED);
                            assertThat(r.errorCode()).isEqualTo(ErrorCode.INFERENCE);
                            assertThat(r.errorMessage()).contains("non-finite");
                            assertThat(r.processed()).isNull();
                            // It failed after its original was stored: the row keeps the original,
                            // size and timings.
                            assertThat(r.original()).isNotNull();
                            assertThat(r.originalPath())
                                    .isEqualTo(r.original().uri())
                                    .contains("/original/");
                            assertThat(r.fileSizeKb())
                                    .isEqualTo(JobResult.kib(r.original().bytes()));
                            assertThat(r.imageWidth() * r.imageHeight()).isEqualTo(300 * 200);
                            assertThat(
                                            r.timings().fetch()
                                                    + r.timings().decode()
                                                    + r.timings().store())
                                    .isBetween(0L, r.processingTimeMs());
                            assertThat(r.timings().postprocess() + r.timings().encode())
                                    .as("stages that never ran")
                                    .isZero();
                        });
        assertThat(counted).isEqualTo(2);
    }

    @Test
    void readsTheGpuIndexesFlinkAssigned() {
        assertThat(BackgroundRemovalFunction.assignedGpus(Set.of(gpu("1"), gpu(null))))
                .containsExactly("1");
        assertThat(BackgroundRemovalFunction.assignedGpus(Set.of())).isEmpty();
    }

    /** What Flink's GPU driver reports for one GPU: a property "index". */
    private static ExternalResourceInfo gpu(String index) {
        return new ExternalResourceInfo() {
            @Override
            public Optional<String> getProperty(String key) {
                return key.equals("index") ? Optional.ofNullable(index) : Optional.empty();
            }

            @Override
            public Collection<String> getKeys() {
                return index == null ? Set.of() : Set.of("index");
            }
        };
    }

    /**
     * Runs what the operator left in the task's mailbox (the timeout, the emission of its result).
     */
    private static void runMails(OneInputStreamOperatorTestHarness<ImageEvent, JobResult> harness)
            throws Exception {
        Optional<Mail> mail;
        while ((mail = harness.getTaskMailbox().tryTake(TaskMailbox.MIN_PRIORITY)).isPresent()) {
            mail.get().run();
        }
    }

    private static OneInputStreamOperatorTestHarness<ImageEvent, JobResult> harness(
            BackgroundRemovalFunction function, long timeoutMs) throws Exception {
        return harness(function, timeoutMs, 16);
    }

    /** The real async operator around {@code function}, as the pipeline builds it. */
    private static OneInputStreamOperatorTestHarness<ImageEvent, JobResult> harness(
            BackgroundRemovalFunction function, long timeoutMs, int capacity) throws Exception {
        return new OneInputStreamOperatorTestHarness<>(
                new AsyncWaitOperatorFactory<>(
                        function, timeoutMs, capacity, AsyncDataStream.OutputMode.UNORDERED),
                TypeInformation.of(ImageEvent.class)
                        .createSerializer(
                                new org.apache.flink.api.common.serialization
                                        .SerializerConfigImpl()));
    }

    private static ImageEvent event(String name, byte[] image, String model) {
        return new ImageEvent(
                id(name),
                "user",
                null,
                Base64.getEncoder().encodeToString(image),
                new ImageParams(model, null, null, false),
                null,
                new String[0],
                0L,
                System.currentTimeMillis(),
                "test/0@0");
    }

    private static String id(String name) {
        return java.util.UUID.nameUUIDFromBytes(name.getBytes()).toString();
    }

    private static ImageEvent event(String name, byte[] image) {
        return new ImageEvent(
                id(name),
                "user",
                null,
                Base64.getEncoder().encodeToString(image),
                ImageParams.DEFAULTS,
                null,
                new String[0],
                0L,
                System.currentTimeMillis(),
                "test/0@0");
    }

    private static ImageEvent uriEvent(String name, String uri) {
        return new ImageEvent(
                id(name),
                "user",
                uri,
                null,
                ImageParams.DEFAULTS,
                null,
                new String[0],
                0L,
                System.currentTimeMillis(),
                "test/0@0");
    }

    /** A red disc on blue: the colour-key model keeps the disc. */
    private static byte[] png(int w, int h) throws Exception {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(new Color(40, 90, 210));
        g.fillRect(0, 0, w, h);
        g.setColor(new Color(220, 60, 40));
        int r = Math.min(w, h) / 3;
        g.fillOval(w / 2 - r, h / 2 - r, 2 * r, 2 * r);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }
}

package io.rmbg.core.inference;

import io.rmbg.core.error.ErrorCode;
import io.rmbg.core.error.ProcessingException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Batches form by size or by time, complete item by item, fail alone, and close cleanly. */
class MicroBatcherTest {
    private static final Duration FOREVER = Duration.ofHours(1);
    private static final long WAIT_S = 20;

    private final ExecutorService staging = Executors.newFixedThreadPool(2);
    private final List<List<String>> batches = new CopyOnWriteArrayList<>();
    private final List<String> staged = new CopyOnWriteArrayList<>();
    private MicroBatcher<String, String> batcher;

    @AfterEach
    void tearDown() throws Exception {
        if (batcher != null) {
            batcher.close();
        }
        staging.shutdownNow();
    }

    /** Records the batch, completes each item with its upper-case form. */
    private void upperCase(MicroBatch<String, String> batch) {
        batches.add(batch.items());
        for (int i = 0; i < batch.size(); i++) {
            batch.complete(i, batch.items().get(i).toUpperCase());
        }
    }

    private MicroBatcherBuilder<String, String> builder(int maxBatch, Duration maxWait) {
        return MicroBatcher.<String, String>builder("test-model")
                .maxBatchSize(maxBatch)
                .maxWait(maxWait)
                .stager((item, buffer, index) -> staged.add(item + "@" + buffer + ":" + index))
                .runner(this::upperCase)
                .stagingExecutor(staging);
    }

    private static String get(CompletableFuture<String> f) throws Exception {
        return f.get(WAIT_S, TimeUnit.SECONDS);
    }

    private static Throwable failure(CompletableFuture<String> f) throws Exception {
        try {
            f.get(WAIT_S, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        }
        throw new AssertionError("expected a failure, got " + f.get());
    }

    @Test
    void aFullBatchRunsWithoutWaitingForTheTimeout() throws Exception {
        batcher = builder(3, FOREVER).start();

        List<CompletableFuture<String>> results = new ArrayList<>();
        for (String item : List.of("a", "b", "c", "d", "e", "f")) {
            results.add(batcher.submit(item));
        }

        for (int i = 0; i < results.size(); i++) {
            assertThat(get(results.get(i))).isEqualTo(List.of("A", "B", "C", "D", "E", "F").get(i));
        }
        assertThat(batches).containsExactly(List.of("a", "b", "c"), List.of("d", "e", "f"));
        assertThat(staged)
                .map(s -> s.replaceAll("@\\d+", ""))
                .containsExactlyInAnyOrder("a:0", "b:1", "c:2", "d:0", "e:1", "f:2");
        assertThat(batcher.queued()).isZero();
    }

    @Test
    void aPartBatchRunsOnceItsFirstItemHasWaitedTheTimeout() throws Exception {
        batcher = builder(8, Duration.ofMillis(20)).start();

        CompletableFuture<String> a = batcher.submit("a");
        CompletableFuture<String> b = batcher.submit("b");

        assertThat(get(a)).isEqualTo("A");
        assertThat(get(b)).isEqualTo("B");
        assertThat(batches).allSatisfy(batch -> assertThat(batch).hasSizeLessThan(8));
        assertThat(batches.stream().mapToInt(List::size).sum()).isEqualTo(2);
    }

    @Test
    void everyItemCompletesWithItsOwnResult() throws Exception {
        batcher =
                builder(4, Duration.ZERO)
                        .runner(
                                batch -> {
                                    batches.add(batch.items());
                                    for (int i = 0; i < batch.size(); i++) {
                                        if (!batch.items().get(i).equals("forgotten")) {
                                            batch.complete(i, batch.items().get(i) + "#" + i);
                                        }
                                    }
                                })
                        .start();

        CompletableFuture<String> x = batcher.submit("x");
        CompletableFuture<String> forgotten = batcher.submit("forgotten");
        CompletableFuture<String> y = batcher.submit("y");

        assertThat(get(x)).startsWith("x#");
        assertThat(get(y)).startsWith("y#");
        assertThat(failure(forgotten))
                .isInstanceOfSatisfying(
                        ProcessingException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.INFERENCE));
    }

    @Test
    void aFailedBatchFailsOnlyItsOwnItemsAsInference() throws Exception {
        batcher =
                builder(2, FOREVER)
                        .runner(
                                batch -> {
                                    if (batch.items().contains("bad")) {
                                        throw new IllegalStateException(
                                                "native crash of the model");
                                    }
                                    upperCase(batch);
                                })
                        .start();

        CompletableFuture<String> a = batcher.submit("a");
        CompletableFuture<String> bad = batcher.submit("bad");
        CompletableFuture<String> c = batcher.submit("c");
        CompletableFuture<String> d = batcher.submit("d");

        for (CompletableFuture<String> f : List.of(a, bad)) {
            assertThat(failure(f))
                    .isInstanceOfSatisfying(
                            ProcessingException.class,
                            e -> {
                                assertThat(e.code()).isEqualTo(ErrorCode.INFERENCE);
                                assertThat(e.getMessage()).contains("native crash of the model");
                            });
        }
        assertThat(get(c)).isEqualTo("C");
        assertThat(get(d)).isEqualTo("D");
    }

    @Test
    void aRunnerProcessingExceptionKeepsItsCode() throws Exception {
        batcher =
                builder(1, Duration.ZERO)
                        .runner(
                                batch -> {
                                    throw new ProcessingException(
                                            ErrorCode.INFERENCE_TIMEOUT, "too slow");
                                })
                        .start();

        assertThat(failure(batcher.submit("a")))
                .isInstanceOfSatisfying(
                        ProcessingException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.INFERENCE_TIMEOUT));
    }

    @Test
    void aFailedStagingFailsOnlyThatItem() throws Exception {
        batcher =
                builder(3, FOREVER)
                        .stager(
                                (item, buffer, index) -> {
                                    if (item.equals("corrupt")) {
                                        throw new IllegalArgumentException("cannot resize");
                                    }
                                })
                        .start();

        CompletableFuture<String> a = batcher.submit("a");
        CompletableFuture<String> corrupt = batcher.submit("corrupt");
        CompletableFuture<String> b = batcher.submit("b");

        assertThat(get(a)).isEqualTo("A");
        assertThat(get(b)).isEqualTo("B");
        assertThat(failure(corrupt))
                .isInstanceOfSatisfying(
                        ProcessingException.class,
                        e -> {
                            assertThat(e.code()).isEqualTo(ErrorCode.INFERENCE);
                            assertThat(e.getMessage()).contains("cannot resize");
                        });
    }

    @Test
    void theNextBatchIsStagedWhileTheModelRunsAndLaterItemsWaitParked() throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        // A short timeout, so that the last, lone item runs too.
        batcher =
                builder(2, Duration.ofMillis(50))
                        .buffers(2)
                        .runner(
                                batch -> {
                                    running.countDown();
                                    release.await();
                                    upperCase(batch);
                                })
                        .start();

        List<CompletableFuture<String>> results = new ArrayList<>();
        for (String item : List.of("a", "b", "c", "d", "e")) {
            results.add(batcher.submit(item));
        }
        assertThat(running.await(WAIT_S, TimeUnit.SECONDS)).isTrue();

        // [a b] runs; [c d] was staged meanwhile into the other buffer; e waits for a free one.
        assertThat(staged).containsExactlyInAnyOrder("a@0:0", "b@0:1", "c@1:0", "d@1:1");
        assertThat(batcher.queued()).isEqualTo(3);
        release.countDown();

        for (CompletableFuture<String> f : results) {
            get(f);
        }
        assertThat(batches).containsExactly(List.of("a", "b"), List.of("c", "d"), List.of("e"));
        assertThat(staged).contains("e@0:0");
    }

    @Test
    void closeWaitsForTheRunningBatchAndFailsWhatHasNotStarted() throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger runs = new AtomicInteger();
        batcher =
                builder(1, Duration.ZERO)
                        .buffers(1)
                        .runner(
                                batch -> {
                                    runs.incrementAndGet();
                                    running.countDown();
                                    release.await();
                                    upperCase(batch);
                                })
                        .start();
        CompletableFuture<String> first = batcher.submit("first");
        assertThat(running.await(WAIT_S, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<String> parked = batcher.submit("parked");

        CompletableFuture<Void> closing =
                CompletableFuture.runAsync(
                        () -> {
                            try {
                                batcher.close();
                            } catch (InterruptedException e) {
                                throw new IllegalStateException(e);
                            }
                        });
        assertThat(failure(parked))
                .isInstanceOfSatisfying(
                        ProcessingException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.INFERENCE));
        assertThat(closing).isNotDone(); // still waiting for the model
        release.countDown();
        closing.get(WAIT_S, TimeUnit.SECONDS);

        assertThat(get(first)).isEqualTo("FIRST");
        assertThat(batcher.isTerminated()).isTrue();
        assertThat(runs).hasValue(1);
        assertThat(failure(batcher.submit("late"))).isInstanceOf(ProcessingException.class);
    }

    @Test
    void rejectsNonsenseSettings() {
        assertThatThrownBy(() -> MicroBatcher.builder("m").maxBatchSize(0))
                .hasMessageContaining("maxBatchSize must be positive");
        assertThatThrownBy(() -> MicroBatcher.builder("m").maxWait(Duration.ofMillis(-1)))
                .hasMessageContaining("maxWait cannot be negative");
        assertThatThrownBy(() -> MicroBatcher.builder("m").buffers(0))
                .hasMessageContaining("buffers must be positive");
        assertThatThrownBy(() -> MicroBatcher.<String, String>builder("m").start())
                .hasMessageContaining("stager cannot be null");
    }

    @Test
    void aWithdrawnItemLeavesTheQueueAndIsNeitherStagedNorRun() throws Exception {
        // One buffer, batches of 1: while "a" runs (held by the gate), "b" and "c" are parked.
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch gate = new CountDownLatch(1);
        batcher =
                builder(1, Duration.ZERO)
                        .buffers(1)
                        .runner(
                                batch -> {
                                    running.countDown();
                                    gate.await();
                                    upperCase(batch);
                                })
                        .start();
        CompletableFuture<String> a = batcher.submit("a");
        assertThat(running.await(WAIT_S, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<String> b = batcher.submit("b");
        CompletableFuture<String> c = batcher.submit("c");
        assertThat(batcher.queued()).isEqualTo(2);

        b.cancel(false); // b's job timed out
        assertThat(batcher.queued()).as("b left the queue at once").isEqualTo(1);
        gate.countDown();

        assertThat(get(a)).isEqualTo("A");
        assertThat(get(c)).isEqualTo("C");
        assertThat(staged).noneMatch(s -> s.startsWith("b@"));
        assertThat(batches).containsExactly(List.of("a"), List.of("c"));
    }

    @Test
    void aBatchWhoseItemsAreAllWithdrawnDoesNotRun() throws Exception {
        // The model thread is held in a first batch while a and b fill and seal the second slot;
        // both are withdrawn before the model thread is let go, so it finds them all withdrawn.
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch gate = new CountDownLatch(1);
        batcher =
                builder(2, Duration.ZERO)
                        .runner(
                                batch -> {
                                    if (batch.items().contains("x")) {
                                        running.countDown();
                                        gate.await();
                                    }
                                    upperCase(batch);
                                })
                        .start();
        CompletableFuture<String> x = batcher.submit("x");
        assertThat(running.await(WAIT_S, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<String> a = batcher.submit("a");
        CompletableFuture<String> b = batcher.submit("b"); // fills the second slot's batch of 2
        a.cancel(false);
        b.cancel(false);
        gate.countDown();

        assertThat(get(x)).isEqualTo("X");
        CompletableFuture<String> c = batcher.submit("c");
        assertThat(get(c)).isEqualTo("C");
        assertThat(batches).noneMatch(batch -> batch.contains("a") || batch.contains("b"));
    }

    @Test
    void anErrorInTheRunnerReachesTheItemsAsItIs() throws Exception {
        OutOfMemoryError oom = new OutOfMemoryError("Java heap space");
        batcher =
                builder(1, Duration.ZERO)
                        .runner(
                                batch -> {
                                    throw oom;
                                })
                        .start();

        assertThat(failure(batcher.submit("a"))).isSameAs(oom);
    }

    @Test
    void anErrorWhileStagingReachesTheItemAsItIs() throws Exception {
        OutOfMemoryError oom = new OutOfMemoryError("Java heap space");
        batcher =
                builder(1, Duration.ZERO)
                        .stager(
                                (item, buffer, index) -> {
                                    throw oom;
                                })
                        .start();

        assertThat(failure(batcher.submit("a"))).isSameAs(oom);
    }
}

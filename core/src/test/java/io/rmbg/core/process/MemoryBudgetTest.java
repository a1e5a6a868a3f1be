package io.rmbg.core.process;

import io.rmbg.core.error.ErrorCode;
import io.rmbg.core.error.ProcessingException;
import io.rmbg.core.image.DecodeCost;
import io.rmbg.core.image.ImageFormat;
import io.rmbg.core.image.ImageInfo;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Admission by bytes: first come first served, never over the budget, withdrawn waiters leave. */
class MemoryBudgetTest {
    private static final long MIB = 1 << 20;

    @Test
    void admitsAtOnceWhatFitsAndQueuesTheRest() throws Exception {
        MemoryBudget budget = new MemoryBudget(10 * MIB);
        MemoryBudget.Lease six = budget.acquire(6 * MIB).getNow(null);
        assertThat(six).isNotNull();
        CompletableFuture<MemoryBudget.Lease> five = budget.acquire(5 * MIB);
        assertThat(five).isNotDone();
        assertThat(budget.waiting()).isEqualTo(1);

        six.close();
        assertThat(five).isDone();
        assertThat(budget.available()).isEqualTo(5 * MIB);
        five.join().close();
        assertThat(budget.available()).isEqualTo(10 * MIB);
        assertThat(budget.peakInUse()).isEqualTo(6 * MIB);
    }

    @Test
    void aLargeImageAtTheHeadIsNotOvertakenBySmallOnes() throws Exception {
        MemoryBudget budget = new MemoryBudget(10 * MIB);
        MemoryBudget.Lease first = budget.acquire(4 * MIB).join();
        CompletableFuture<MemoryBudget.Lease> large = budget.acquire(8 * MIB);
        CompletableFuture<MemoryBudget.Lease> small = budget.acquire(1 * MIB);
        assertThat(small).as("would fit, but waits behind the large one").isNotDone();

        first.close();
        assertThat(large).isDone();
        assertThat(small).isDone(); // 8 + 1 fit together
        assertThat(budget.available()).isEqualTo(1 * MIB);
    }

    @Test
    void aCancelledWaiterLeavesTheQueueAndLetsTheNextOneIn() throws Exception {
        MemoryBudget budget = new MemoryBudget(10 * MIB);
        MemoryBudget.Lease held = budget.acquire(4 * MIB).join();
        CompletableFuture<MemoryBudget.Lease> large = budget.acquire(10 * MIB);
        CompletableFuture<MemoryBudget.Lease> small = budget.acquire(2 * MIB);

        large.cancel(false); // its job timed out
        assertThat(small).isDone();
        assertThat(budget.waiting()).isZero();
        held.close();
        small.join().close();
        assertThat(budget.available()).isEqualTo(10 * MIB);
    }

    @Test
    void closingALeaseTwiceReturnsItsBytesOnce() throws Exception {
        MemoryBudget budget = new MemoryBudget(10 * MIB);
        MemoryBudget.Lease lease = budget.acquire(3 * MIB).join();
        lease.close();
        lease.close();
        assertThat(budget.available()).isEqualTo(10 * MIB);
    }

    @Test
    void anImageCostingMoreThanTheWholeBudgetIsTooLargeNamingTheSetting() {
        MemoryBudget budget = new MemoryBudget(10 * MIB);
        ProcessingException e =
                catchThrowableOfType(ProcessingException.class, () -> budget.acquire(11 * MIB));
        assertThat(e.code()).isEqualTo(ErrorCode.IMAGE_TOO_LARGE);
        assertThat(e.getMessage()).contains("inference.memory-budget-mb", "11 MiB", "10 MiB");
        assertThat(budget.waiting()).isZero();
    }

    @Test
    void aDecodeCostsTheDecodersPeakAndAtLeastEightBytesPerPixel() {
        ImageInfo jpeg = new ImageInfo(ImageFormat.JPEG, 4000, 3000);
        assertThat(MemoryBudget.decodeCost(jpeg))
                .isEqualTo(Math.max(DecodeCost.peakBytes(jpeg), 96_000_000L))
                .isGreaterThanOrEqualTo(96_000_000L);
    }
}

package io.rmbg.local;

import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.connector.jdbc.core.datastream.sink.JdbcSink;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.connector.sink2.SupportsPreWriteTopology;
import org.apache.flink.streaming.api.datastream.DataStream;

import io.rmbg.job.sinks.CloseSafeJdbcSink;

/**
 * The production JDBC sink with {@link Chaos} points where a sink can die: while buffering a row
 * ({@code <name>.write}), right after a flush reached the database ({@code <name>.after-flush}), in
 * the checkpoint's synchronous phase ({@code <name>.snapshot} in the writer, {@code
 * <name>.snapshot-state} in an operator before it), and once a checkpoint completed ({@code
 * <name>.checkpoint-complete}).
 */
final class ChaosJdbcSink<T> extends CloseSafeJdbcSink<T> implements SupportsPreWriteTopology<T> {
    private static final long serialVersionUID = 1L;

    private final String name;

    ChaosJdbcSink(JdbcSink<T> delegate, String name) {
        super(delegate);
        this.name = name;
    }

    @Override
    protected void beforeWrite() {
        Chaos.maybeFail(name + ".write");
    }

    @Override
    protected void afterFlush() {
        Chaos.maybeFail(name + ".after-flush");
    }

    @Override
    protected void beforeSnapshot() {
        Chaos.maybeFail(name + ".snapshot");
    }

    @Override
    public DataStream<T> addPreWriteTopology(DataStream<T> input) {
        return input.map(new CheckpointChaos<>(name))
                .returns(input.getType())
                .name("Chaos before " + name);
    }

    /** Passes elements through; dies once in a snapshot or after a completed checkpoint. */
    private static final class CheckpointChaos<T> extends RichMapFunction<T, T>
            implements CheckpointedFunction, CheckpointListener {
        private static final long serialVersionUID = 1L;
        private final String name;

        CheckpointChaos(String name) {
            this.name = name;
        }

        @Override
        public T map(T value) {
            return value;
        }

        @Override
        public void snapshotState(FunctionSnapshotContext context) {
            Chaos.maybeFail(name + ".snapshot-state");
        }

        @Override
        public void initializeState(FunctionInitializationContext context) {}

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            Chaos.maybeFail(name + ".checkpoint-complete");
        }
    }
}

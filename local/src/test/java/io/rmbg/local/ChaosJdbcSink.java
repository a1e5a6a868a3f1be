package io.rmbg.local;

import java.io.IOException;
import java.util.Collection;
import java.util.List;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.SupportsWriterState;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.jdbc.core.datastream.sink.JdbcSink;
import org.apache.flink.connector.jdbc.core.datastream.sink.committer.JdbcCommitable;
import org.apache.flink.connector.jdbc.core.datastream.sink.writer.JdbcWriterState;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.connector.sink2.SupportsPreWriteTopology;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * The real JDBC sink with {@link Chaos} points where a sink can die: while buffering a row
 * ({@code <name>.write}), right after a flush reached the database ({@code <name>.after-flush}),
 * in the checkpoint's synchronous phase ({@code <name>.snapshot} in the writer, {@code
 * <name>.snapshot-state} in an operator before it), and once a checkpoint completed ({@code
 * <name>.checkpoint-complete}).
 */
final class ChaosJdbcSink<T> implements Sink<T>, SupportsWriterState<T, JdbcWriterState>,
        SupportsCommitter<JdbcCommitable>, SupportsPreWriteTopology<T> {
    private static final long serialVersionUID = 1L;

    private final JdbcSink<T> delegate;
    private final String name;

    ChaosJdbcSink(JdbcSink<T> delegate, String name) {
        this.delegate = delegate;
        this.name = name;
    }

    @Override
    public DataStream<T> addPreWriteTopology(DataStream<T> input) {
        return input.map(new CheckpointChaos<>(name)).returns(input.getType()).name("Chaos before " + name);
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

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) throws IOException {
        return new Writer(delegate.createWriter(context));
    }

    @Override
    public StatefulSinkWriter<T, JdbcWriterState> restoreWriter(WriterInitContext context,
            Collection<JdbcWriterState> states) throws IOException {
        return new Writer(delegate.restoreWriter(context, states));
    }

    @Override
    public SimpleVersionedSerializer<JdbcWriterState> getWriterStateSerializer() {
        return delegate.getWriterStateSerializer();
    }

    @Override
    public Committer<JdbcCommitable> createCommitter(CommitterInitContext context) throws IOException {
        Committer<JdbcCommitable> committer = delegate.createCommitter(context);
        return new Committer<>() {
            @Override
            public void commit(Collection<CommitRequest<JdbcCommitable>> requests)
                    throws IOException, InterruptedException {
                Chaos.maybeFail(name + ".commit");
                committer.commit(requests);
            }

            @Override
            public void close() throws Exception {
                committer.close();
            }
        };
    }

    @Override
    public SimpleVersionedSerializer<JdbcCommitable> getCommittableSerializer() {
        return delegate.getCommittableSerializer();
    }

    private final class Writer implements StatefulSinkWriter<T, JdbcWriterState>,
            CommittingSinkWriter<T, JdbcCommitable> {
        private final StatefulSinkWriter<T, JdbcWriterState> writer;

        @SuppressWarnings("unchecked")
        Writer(SinkWriter<T> writer) {
            this.writer = (StatefulSinkWriter<T, JdbcWriterState>) writer;
        }

        @Override
        public void write(T element, Context context) throws IOException, InterruptedException {
            Chaos.maybeFail(name + ".write");
            writer.write(element, context);
        }

        @Override
        public void flush(boolean endOfInput) throws IOException, InterruptedException {
            writer.flush(endOfInput);
            Chaos.maybeFail(name + ".after-flush");
        }

        @Override
        public List<JdbcWriterState> snapshotState(long checkpointId) throws IOException {
            Chaos.maybeFail(name + ".snapshot");
            return writer.snapshotState(checkpointId);
        }

        @SuppressWarnings("unchecked")
        @Override
        public Collection<JdbcCommitable> prepareCommit() throws IOException, InterruptedException {
            return ((CommittingSinkWriter<T, JdbcCommitable>) writer).prepareCommit();
        }

        @Override
        public void close() throws Exception {
            writer.close();
        }
    }
}

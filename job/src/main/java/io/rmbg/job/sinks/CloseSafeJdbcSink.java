package io.rmbg.job.sinks;

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

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Collection;
import java.util.List;

/**
 * The connector's JDBC sink, except that closing a writer never throws.
 *
 * <p>Why: when the database goes away, the connector's background flush fails, the task fails over,
 * and closing the writer then throws the same error again from the task's clean-up. Flink treats an
 * exception there as fatal and stops the whole TaskManager, so a short database outage took down
 * every slot. Swallowing it is safe: every checkpoint flushes the writer before it completes, so
 * rows buffered at close time are replayed from the last checkpoint after the restart, and the
 * upserts make the replay harmless.
 *
 * <p>Subclasses may hook the writer's steps (tests inject failures there).
 */
public class CloseSafeJdbcSink<T>
        implements Sink<T>,
                SupportsWriterState<T, JdbcWriterState>,
                SupportsCommitter<JdbcCommitable> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(CloseSafeJdbcSink.class);

    private final JdbcSink<T> delegate;

    public CloseSafeJdbcSink(JdbcSink<T> delegate) {
        this.delegate = delegate;
    }

    /** Before an element is buffered. */
    protected void beforeWrite() {}

    /** After a flush reached the database. */
    protected void afterFlush() {}

    /** In the checkpoint's synchronous phase, before the writer's state is taken. */
    protected void beforeSnapshot() {}

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) throws IOException {
        return new Writer(delegate.createWriter(context));
    }

    @Override
    public StatefulSinkWriter<T, JdbcWriterState> restoreWriter(
            WriterInitContext context, Collection<JdbcWriterState> states) throws IOException {
        return new Writer(delegate.restoreWriter(context, states));
    }

    @Override
    public SimpleVersionedSerializer<JdbcWriterState> getWriterStateSerializer() {
        return delegate.getWriterStateSerializer();
    }

    @Override
    public Committer<JdbcCommitable> createCommitter(CommitterInitContext context)
            throws IOException {
        return delegate.createCommitter(context);
    }

    @Override
    public SimpleVersionedSerializer<JdbcCommitable> getCommittableSerializer() {
        return delegate.getCommittableSerializer();
    }

    private final class Writer
            implements StatefulSinkWriter<T, JdbcWriterState>,
                    CommittingSinkWriter<T, JdbcCommitable> {
        private final StatefulSinkWriter<T, JdbcWriterState> writer;

        @SuppressWarnings("unchecked")
        Writer(SinkWriter<T> writer) {
            this.writer = (StatefulSinkWriter<T, JdbcWriterState>) writer;
        }

        @Override
        public void write(T element, Context context) throws IOException, InterruptedException {
            beforeWrite();
            writer.write(element, context);
        }

        @Override
        public void flush(boolean endOfInput) throws IOException, InterruptedException {
            writer.flush(endOfInput);
            afterFlush();
        }

        @Override
        public List<JdbcWriterState> snapshotState(long checkpointId) throws IOException {
            beforeSnapshot();
            return writer.snapshotState(checkpointId);
        }

        @SuppressWarnings("unchecked")
        @Override
        public Collection<JdbcCommitable> prepareCommit() throws IOException, InterruptedException {
            return ((CommittingSinkWriter<T, JdbcCommitable>) writer).prepareCommit();
        }

        @Override
        public void close() {
            try {
                writer.close();
            } catch (Exception e) {
                LOG.warn(
                        "Closing the JDBC writer failed; rows not yet flushed are replayed from the"
                                + " last checkpoint: {}",
                        e.toString());
            }
        }
    }
}

package io.rmbg.bench;

import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

import java.util.concurrent.atomic.AtomicLong;

/** Discards what it receives and counts it in {@link #COUNT} (the MiniCluster runs in this JVM). */
final class CountingSink<T> implements Sink<T> {
    private static final long serialVersionUID = 1L;

    static final AtomicLong COUNT = new AtomicLong();

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) {
        return new SinkWriter<>() {
            @Override
            public void write(T element, Context context) {
                COUNT.incrementAndGet();
            }

            @Override
            public void flush(boolean endOfInput) {}

            @Override
            public void close() {}
        };
    }
}

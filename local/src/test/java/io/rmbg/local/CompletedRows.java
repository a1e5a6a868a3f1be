package io.rmbg.local;

import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The outage tests' bookkeeping: events sent (each a different inline image, so every job really
 * writes new blobs during an outage), the completed row each must end as, and the wait for them.
 */
final class CompletedRows {
    private final Map<String, String> expected = new HashMap<>();
    private int sent;

    /** Sends {@code n} new events to the job's topic, each acknowledged. */
    void send(PipelineITCaseBase it, int n) throws Exception {
        try (EventProducer producer = it.producer()) {
            for (int i = 0; i < n; i++) {
                byte[] image = SampleImages.png(32 + sent % 50, 32 + sent / 50);
                var event = Events.inline("outage", image);
                producer.send(it.eventsTopic(), Events.bytes(event));
                expected.put(Events.jobId(event), "completed:null");
                sent++;
            }
        }
    }

    /** Job id → {@code status:error_code} of every event sent. */
    Map<String, String> expected() {
        return expected;
    }

    /** Waits until there are as many rows as events sent (PostgreSQL may still be starting). */
    void await(StackQueries db, Duration timeout) throws Exception {
        Poll.until(
                timeout,
                Duration.ofSeconds(1),
                () -> {
                    try {
                        return rows(db).size();
                    } catch (SQLException notBackYet) {
                        return -1;
                    }
                },
                seen -> seen >= expected.size(),
                seen -> "saw " + seen + " of " + expected.size() + " rows within " + timeout);
    }

    /** Job id → {@code status:error_code (message)} of every row. */
    static Map<String, String> rows(StackQueries db) throws Exception {
        return db.map(
                "SELECT job_id, status || ':' || coalesce(error_code, 'null')"
                        + " || coalesce(' (' || error_message || ')', '') FROM image_process_jobs");
    }
}

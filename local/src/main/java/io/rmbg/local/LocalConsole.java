package io.rmbg.local;

import org.apache.flink.core.execution.JobClient;

import io.rmbg.job.config.ConfigKeys;
import io.rmbg.job.config.JdbcSettings;
import io.rmbg.job.config.KafkaSettings;
import io.rmbg.job.config.PipelineConfig;

import java.nio.file.Path;

/** What {@code bin/rmbg local} tells the user: progress lines and, once running, the endpoints. */
final class LocalConsole {
    private LocalConsole() {}

    static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }

    static void printEndpoints(PipelineConfig c, Path dataDir, JobClient job, int webUiPort) {
        KafkaSettings kafka = c.kafka();
        JdbcSettings jdbc = c.jdbc();
        String bucket = c.s3().bucket();
        say("");
        say("rmbg-flink is running (job " + job.getJobID() + ")");
        say(
                "  Kafka        "
                        + kafka.bootstrapServers()
                        + "   topics "
                        + kafka.eventsTopic()
                        + " → "
                        + kafka.resultsTopic()
                        + ", dead letters "
                        + kafka.deadLetterTopic());
        say(
                "  PostgreSQL   "
                        + jdbc.url()
                        + "   user "
                        + jdbc.user()
                        + " (table image_process_jobs)");
        say(
                "  S3           "
                        + c.get(ConfigKeys.S3_ENDPOINT)
                        + "   bucket "
                        + bucket
                        + "   files under "
                        + dataDir.resolve("s3").resolve(bucket));
        say("  Flink web UI http://localhost:" + webUiPort);
        say(
                "Send events to "
                        + kafka.eventsTopic()
                        + " (see README); finished jobs print below. Ctrl-C stops.");
        say("");
    }

    static void printResults(String url, String redis) {
        say("  Results      " + url + "   (API under /api/, web page at /; Redis " + redis + ")");
        say("  Tokens       bin/rmbg users add NAME   (prints a token for the page and the API)");
        say("");
    }

    static void printDemoToken(String url, String user, String token) {
        say("Demo results of user " + user + ": open " + url + "#token=" + token);
        say("  (the token: " + token + ")");
        say("  (or: curl -H 'Authorization: Bearer " + token + "' " + url + "api/jobs)");
        say("");
    }
}

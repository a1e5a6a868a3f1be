package io.rmbg.job;

import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;

import io.rmbg.job.config.PipelineConfig;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code kafka.properties.*} reaches the Kafka clients the job builds: read back from the built
 * source and sinks (the connector keeps their client settings in non-public accessors, read here by
 * reflection), with the job's own settings still in force.
 */
class KafkaClientPropertiesTest {
    private static final PipelineConfig SECURED =
            PipelineConfig.builder()
                    .set("kafka.properties.security.protocol", "SASL_SSL")
                    .set("kafka.properties.sasl.mechanism", "SCRAM-SHA-512")
                    .set(
                            "kafka.properties.sasl.jaas.config",
                            "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"u\" password=\"p\";")
                    .set("kafka.properties.partition.discovery.interval.ms", "5000")
                    .set("kafka.properties.ssl.endpoint.identification.algorithm", "https")
                    .build();

    @Test
    void theSourceGetsThePassThroughAndKeepsTheJobsFetchSizes() throws Exception {
        KafkaSource<?> source = RmbgJob.kafkaSource(SECURED);
        Method m = KafkaSource.class.getDeclaredMethod("getConfiguration");
        m.setAccessible(true);
        Configuration conf = (Configuration) m.invoke(source);
        assertThat(conf.toMap())
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("ssl.endpoint.identification.algorithm", "https")
                .containsEntry("partition.discovery.interval.ms", "5000")
                .containsEntry("max.partition.fetch.bytes", Long.toString(16L << 20))
                .containsEntry("bootstrap.servers", "localhost:9092")
                .containsEntry("group.id", "rmbg-flink")
                .containsKey("sasl.jaas.config");
    }

    @Test
    void bothSinksGetThePassThrough() throws Exception {
        Properties results = producerConfig(RmbgJob.resultsSink(SECURED));
        Properties deadLetters = producerConfig(RmbgJob.deadLetterSink(SECURED));
        for (Properties p : new Properties[] {results, deadLetters}) {
            assertThat(p)
                    .containsEntry("security.protocol", "SASL_SSL")
                    .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                    .containsEntry("bootstrap.servers", "localhost:9092")
                    .containsKey("sasl.jaas.config");
        }
        assertThat(deadLetters).containsEntry("max.request.size", Long.toString(16L << 20));
        assertThat(results).doesNotContainKey("max.request.size");
    }

    @Test
    void withoutPassThroughTheClientsAreAsBefore() throws Exception {
        Properties p = producerConfig(RmbgJob.resultsSink(PipelineConfig.defaults()));
        assertThat(p).doesNotContainKey("security.protocol");
        assertThat(RmbgJob.sourceProperties(PipelineConfig.defaults()))
                .containsEntry("partition.discovery.interval.ms", "60000")
                .doesNotContainKey("security.protocol");
    }

    private static Properties producerConfig(Sink<?> sink) throws Exception {
        Method m = KafkaSink.class.getDeclaredMethod("getKafkaProducerConfig");
        m.setAccessible(true);
        return (Properties) m.invoke(sink);
    }
}

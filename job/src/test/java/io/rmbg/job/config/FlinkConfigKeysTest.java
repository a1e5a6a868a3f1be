package io.rmbg.job.config;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.FallbackKey;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.runtime.entrypoint.ClusterEntrypoint;

import io.rmbg.job.RmbgJob;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every key in {@code conf/config.yaml} must be one Flink 2.2 reads: a typo there is silently
 * ignored by Flink, so this test is the only thing that notices.
 */
class FlinkConfigKeysTest {
    private static final Path CONF = Path.of("..", "conf");

    /** Keys that plugins read (not on this classpath), by the names their docs give. */
    private static final List<Pattern> PLUGIN_KEYS =
            List.of(
                    Pattern.compile(
                            "metrics\\.reporter\\.[a-z0-9_-]+\\.(factory\\.class|port|interval)"),
                    Pattern.compile(
                            "external-resource\\.[a-z0-9_-]+\\.param\\.discovery-script\\.(path|args)"),
                    Pattern.compile("s3\\.(endpoint|path\\.style\\.access|access-key|secret-key)"));

    /** Keys with a per-name part, checked against the option's own suffix. */
    private static final Pattern EXTERNAL_RESOURCE =
            Pattern.compile("external-resource\\.[a-z0-9_-]+\\.(amount|driver-factory\\.class)");

    @Test
    void everyKeyOfConfigYamlIsAFlinkOptionWithAValidValue() throws Exception {
        Configuration conf = GlobalConfiguration.loadConfiguration(CONF.toString());
        Map<String, ConfigOption<?>> options = flinkOptions();
        assertThat(options).hasSizeGreaterThan(500);

        assertThat(conf.keySet()).isNotEmpty();
        for (String key : conf.keySet()) {
            ConfigOption<?> option = options.get(key);
            if (option != null) {
                assertThat(conf.getOptional(option)).as("value of %s", key).isPresent();
                continue;
            }
            boolean known =
                    EXTERNAL_RESOURCE.matcher(key).matches()
                            || PLUGIN_KEYS.stream().anyMatch(p -> p.matcher(key).matches());
            assertThat(known)
                    .as("'%s' in conf/config.yaml is not a Flink 2.2 option", key)
                    .isTrue();
        }
    }

    @Test
    void theClusterSettingsThatTheJobNeedsAreThere() throws Exception {
        Map<String, String> conf = GlobalConfiguration.loadConfiguration(CONF.toString()).toMap();
        assertThat(conf).containsEntry("restart-strategy.type", "exponential-delay");
        assertThat(conf.get("classloader.parent-first-patterns.additional"))
                .contains("ai.onnxruntime");
        assertThat(conf.get("execution.checkpointing.dir")).startsWith("s3://");
        // State that grows with traffic on RocksDB, checkpointed incrementally; an object-store
        // outage of a few checkpoints degrades to waiting, not to a failover loop.
        assertThat(conf).containsEntry("state.backend.type", "rocksdb");
        assertThat(conf).containsEntry("execution.checkpointing.incremental", "true");
        assertThat(
                        Integer.parseInt(
                                conf.get("execution.checkpointing.tolerable-failed-checkpoints")))
                .isGreaterThanOrEqualTo(3);
        assertThat(conf.get("external-resources")).contains("gpu");
        assertThat(conf)
                .containsEntry(
                        "external-resource.gpu.param.discovery-script.args",
                        "--enable-coordination-mode");
        assertThat(conf).containsKey("metrics.reporter.prom.factory.class");
    }

    /**
     * The job sets its restart strategy itself (a job's setting beats the cluster's): it must be
     * the one conf/config.yaml documents, key for key.
     */
    @Test
    void theJobsRestartStrategyIsTheClusters() throws Exception {
        Configuration cluster = GlobalConfiguration.loadConfiguration(CONF.toString());
        Configuration job = RmbgJob.jobConfiguration(PipelineConfig.builder().build());
        Map<String, String> clusterRestarts = new HashMap<>();
        cluster.toMap()
                .forEach(
                        (k, v) -> {
                            if (k.startsWith("restart-strategy")) {
                                clusterRestarts.put(k, v);
                            }
                        });
        assertThat(clusterRestarts).hasSizeGreaterThanOrEqualTo(6);
        for (String key : clusterRestarts.keySet()) {
            ConfigOption<?> option = flinkOptions().get(key);
            assertThat(job.get(option)).as(key).isEqualTo(cluster.get(option));
        }
        assertThat(job.keySet()).allMatch(clusterRestarts::containsKey);
    }

    /** All {@link ConfigOption} constants of Flink's core and runtime, by key and fallback key. */
    private static Map<String, ConfigOption<?>> flinkOptions() throws Exception {
        Map<String, ConfigOption<?>> options = new HashMap<>();
        for (Class<?> anchor : List.of(ConfigOption.class, ClusterEntrypoint.class)) {
            File jar = new File(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
            try (JarFile jf = new JarFile(jar)) {
                Enumeration<JarEntry> entries = jf.entries();
                while (entries.hasMoreElements()) {
                    String name = entries.nextElement().getName();
                    if (!name.endsWith("Options.class") || name.contains("$")) {
                        continue;
                    }
                    collect(
                            Class.forName(
                                    name.replace('/', '.').replace(".class", ""),
                                    false,
                                    FlinkConfigKeysTest.class.getClassLoader()),
                            options);
                }
            }
        }
        return options;
    }

    private static void collect(Class<?> type, Map<String, ConfigOption<?>> options) {
        Field[] fields;
        try {
            fields = type.getDeclaredFields();
        } catch (LinkageError e) {
            return; // an optional dependency of that class is absent: not one of ours
        }
        for (Field f : fields) {
            if (Modifier.isStatic(f.getModifiers())
                    && ConfigOption.class.isAssignableFrom(f.getType())) {
                try {
                    f.setAccessible(true);
                    ConfigOption<?> option = (ConfigOption<?>) f.get(null);
                    options.put(option.key(), option);
                    for (FallbackKey k : option.fallbackKeys()) {
                        options.putIfAbsent(k.getKey(), option);
                    }
                } catch (ReflectiveOperationException | RuntimeException | LinkageError ignored) {
                    // not readable: skip
                }
            }
        }
    }
}

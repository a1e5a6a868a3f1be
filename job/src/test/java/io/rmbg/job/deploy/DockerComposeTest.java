package io.rmbg.job.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * There is no Docker engine where the tests run, so {@code docker-compose.yml} is checked by
 * structure: every file it mounts or builds from exists (or is one of the documented build
 * outputs), images are pinned to the versions the build uses, host ports are the contract's, and
 * the TaskManager gets a GPU.
 */
class DockerComposeTest {
    private static final Path ROOT = Path.of("..");

    /** Made by `mvn package` and `bin/rmbg docker-prepare`, not kept in git. */
    private static final List<String> BUILD_OUTPUTS =
            List.of("./job/target", "./service/target", "./ops/target", "./models", "./docker/lib");

    private static JsonNode compose;
    private static JsonNode services;
    private static String pom;

    @BeforeAll
    static void parse() throws Exception {
        compose =
                new ObjectMapper(new YAMLFactory())
                        .readTree(ROOT.resolve("docker-compose.yml").toFile());
        services = compose.get("services");
        pom = Files.readString(ROOT.resolve("pom.xml"));
    }

    @Test
    void hasTheWholeSystem() {
        assertThat(names(services))
                .contains(
                        "kafka",
                        "kafka-init",
                        "postgres",
                        "minio",
                        "minio-init",
                        "jobmanager",
                        "taskmanager",
                        "submit",
                        "sql-client",
                        "prometheus",
                        "grafana",
                        "redis",
                        "results",
                        "postgres-exporter",
                        "maintenance",
                        "pgbackrest");
        for (JsonNode service : services) {
            for (JsonNode dependency : service.path("depends_on")) {
                assertThat(names(services)).contains(dependency.asText());
            }
        }
    }

    @Test
    void everyMountedOrBuiltFileExists() {
        for (Map.Entry<String, JsonNode> service : services.properties()) {
            for (JsonNode volume : service.getValue().path("volumes")) {
                String host = volume.asText().split(":")[0];
                if (!host.startsWith(".")) {
                    assertThat(compose.path("volumes").has(host))
                            .as("named volume %s", host)
                            .isTrue();
                    continue;
                }
                if (BUILD_OUTPUTS.contains(host)) {
                    continue;
                }
                assertThat(ROOT.resolve(host)).as("%s mounts %s", service.getKey(), host).exists();
            }
            JsonNode build = service.getValue().path("build");
            if (!build.isMissingNode()) {
                assertThat(
                                ROOT.resolve(build.path("context").asText())
                                        .resolve(build.path("dockerfile").asText()))
                        .exists();
            }
            for (JsonNode arg : service.getValue().path("entrypoint")) {
                if (arg.asText().startsWith("/rmbg/docker/")) {
                    assertThat(ROOT.resolve(arg.asText().substring("/rmbg/".length()))).exists();
                }
            }
        }
    }

    @Test
    void imagesArePinnedToTheVersionsTheBuildUses() throws Exception {
        String flink = property("flink.version");
        String kafka = property("kafka.version");
        for (Map.Entry<String, JsonNode> service : services.properties()) {
            String image = service.getValue().path("image").asText();
            assertThat(image)
                    .as("image of %s", service.getKey())
                    .contains(":")
                    .doesNotEndWith(":latest");
            if (image.startsWith("flink:")) {
                assertThat(image).isEqualTo("flink:" + flink + "-java17");
            }
            if (image.startsWith("apache/kafka:")) {
                assertThat(image).isEqualTo("apache/kafka:" + kafka);
            }
        }
        String dockerfile = Files.readString(ROOT.resolve("docker/taskmanager-gpu.Dockerfile"));
        assertThat(dockerfile)
                .contains("FROM flink:" + flink + "-java17")
                .contains("cudnn")
                .contains("/opt/flink/lib/");
        assertThat(services.at("/jobmanager/environment/ENABLE_BUILT_IN_PLUGINS").asText())
                .isEqualTo("flink-s3-fs-hadoop-" + flink + ".jar");
    }

    @Test
    void hostPortsAreTheContractsLocalPorts() {
        assertThat(ports("kafka")).contains("127.0.0.1:9092:9092");
        assertThat(ports("postgres")).contains("127.0.0.1:5432:5432");
        assertThat(ports("minio")).contains("127.0.0.1:9000:9000");
        assertThat(ports("jobmanager")).contains("127.0.0.1:8081:8081");
        assertThat(ports("results")).contains("127.0.0.1:8090:8090");
        assertThat(ports("redis")).contains("127.0.0.1:6379:6379");
        assertThat(services.at("/postgres/environment/POSTGRES_DB").asText()).isEqualTo("rmbg");
    }

    @Test
    void everyPublishedPortIsBoundToThisMachineOnly() {
        int published = 0;
        for (Map.Entry<String, JsonNode> service : services.properties()) {
            for (JsonNode port : service.getValue().path("ports")) {
                assertThat(port.isTextual())
                        .as("%s: ports as \"127.0.0.1:HOST:CONTAINER\" strings", service.getKey())
                        .isTrue();
                assertThat(port.asText())
                        .as("port of %s", service.getKey())
                        .startsWith("127.0.0.1:");
                published++;
            }
            assertThat(service.getValue().has("network_mode"))
                    .as("network_mode of %s", service.getKey())
                    .isFalse();
        }
        assertThat(published).isGreaterThanOrEqualTo(7);
    }

    @Test
    void theJobAndFlinkLogInWithTheirOwnCredentialsNotTheAdministrators() {
        JsonNode submit = services.at("/submit/environment");
        String jdbcUser = defaultOf(submit.path("RMBG_JDBC_USER").asText());
        String dbAdmin = defaultOf(services.at("/postgres/environment/POSTGRES_USER").asText());
        assertThat(jdbcUser).isNotBlank().isNotEqualTo(dbAdmin);
        assertThat(submit.path("RMBG_JDBC_PASSWORD").asText())
                .isNotEqualTo(services.at("/postgres/environment/POSTGRES_PASSWORD").asText());
        // The role the init script creates is the one the job and the SQL client use.
        assertThat(services.at("/postgres/environment/RMBG_JDBC_USER").asText())
                .isEqualTo(submit.path("RMBG_JDBC_USER").asText())
                .isEqualTo(services.at("/sql-client/environment/JDBC_USER").asText());
        assertThat(volumes("postgres"))
                .anyMatch(
                        v ->
                                v.startsWith(
                                        "./docker/postgres-job-role.sh:/docker-entrypoint-initdb.d/"));

        String minioRoot = services.at("/minio/environment/MINIO_ROOT_USER").asText();
        String jobKey = submit.path("RMBG_S3_ACCESS_KEY").asText();
        assertThat(defaultOf(jobKey)).isNotBlank().isNotEqualTo(defaultOf(minioRoot));
        assertThat(services.at("/minio-init/environment/JOB_ACCESS_KEY").asText())
                .isEqualTo(jobKey);
        for (String flink : List.of("jobmanager", "taskmanager")) {
            String key = services.at("/" + flink + "/environment/AWS_ACCESS_KEY_ID").asText();
            assertThat(defaultOf(key))
                    .as(flink)
                    .isNotEqualTo(defaultOf(minioRoot))
                    .isNotEqualTo(defaultOf(jobKey));
            assertThat(services.at("/minio-init/environment/CHECKPOINT_ACCESS_KEY").asText())
                    .isEqualTo(key);
        }
    }

    @Test
    void theJobsGrantsAreNarrow() throws Exception {
        JsonNode policy =
                new ObjectMapper().readTree(ROOT.resolve("docker/minio/job-policy.json").toFile());
        List<String> resources = new ArrayList<>();
        for (JsonNode statement : policy.path("Statement")) {
            assertThat(statement.path("Effect").asText()).isEqualTo("Allow");
            assertThat(names(statement.path("Action"))).isSubsetOf("s3:GetObject", "s3:PutObject");
            statement.path("Resource").forEach(r -> resources.add(r.asText()));
        }
        assertThat(resources)
                .containsExactlyInAnyOrder(
                        "arn:aws:s3:::rmbg/uploads/*",
                        "arn:aws:s3:::rmbg/original/*",
                        "arn:aws:s3:::rmbg/mask/*",
                        "arn:aws:s3:::rmbg/processed/*",
                        "arn:aws:s3:::rmbg/dead-letters/*");
        String checkpoints = Files.readString(ROOT.resolve("docker/minio/checkpoints-policy.json"));
        assertThat(checkpoints)
                .doesNotContain("arn:aws:s3:::rmbg/")
                .doesNotContain("arn:aws:s3:::rmbg\"");
        String buckets = Files.readString(ROOT.resolve("docker/create-buckets.sh"));
        assertThat(buckets).contains("job-policy.json").contains("checkpoints-policy.json");

        String roles = Files.readString(ROOT.resolve("docker/postgres-job-role.sh"));
        String grants = roles.substring(roles.indexOf("<<'SQL'"));
        assertThat(grants)
                .contains("NOSUPERUSER")
                .contains("GRANT SELECT, INSERT, UPDATE ON image_process_jobs")
                .doesNotContain("TRUNCATE")
                .doesNotContain("ALL PRIVILEGES")
                .doesNotContain(" users")
                .doesNotContain("CREATE ON SCHEMA public TO");
        // The DELETEs: a day recomputed from the rows drops error codes it no longer has; a reuse
        // entry whose blob is gone is dropped. Never a job row.
        assertThat(grants.lines().filter(l -> l.contains("DELETE")).toList())
                .containsExactly(
                        "GRANT DELETE ON processing_error_stats TO :\"job_user\";",
                        "GRANT SELECT, INSERT, UPDATE, DELETE ON result_reuse TO :\"job_user\";");
    }

    @Test
    void theResultsServiceOnlyReadsWithItsOwnCredentials() throws Exception {
        JsonNode results = services.at("/results/environment");
        assertThat(services.at("/redis/image").asText()).isEqualTo("redis:7");
        assertThat(results.path("RMBG_REDIS_HOST").asText()).isEqualTo("redis");
        String dbUser = defaultOf(results.path("RMBG_JDBC_USER").asText());
        assertThat(dbUser)
                .isNotBlank()
                .isNotEqualTo(
                        defaultOf(services.at("/postgres/environment/POSTGRES_USER").asText()))
                .isNotEqualTo(
                        defaultOf(services.at("/submit/environment/RMBG_JDBC_USER").asText()));
        assertThat(services.at("/postgres/environment/RMBG_RESULTS_JDBC_USER").asText())
                .isEqualTo(results.path("RMBG_JDBC_USER").asText());
        assertThat(volumes("postgres"))
                .anyMatch(
                        v ->
                                v.startsWith(
                                        "./docker/postgres-results-role.sh:/docker-entrypoint-initdb.d/"));
        String roles = Files.readString(ROOT.resolve("docker/postgres-results-role.sh"));
        List<String> grants =
                roles.substring(roles.indexOf("<<'SQL'"))
                        .lines()
                        .filter(l -> l.startsWith("GRANT"))
                        .toList();
        assertThat(grants)
                .allMatch(
                        g -> g.startsWith("GRANT SELECT") || g.startsWith("GRANT USAGE ON SCHEMA"));
        assertThat(roles).contains("default_transaction_read_only = on").doesNotContain("INSERT");

        String s3Key = results.path("RMBG_S3_ACCESS_KEY").asText();
        assertThat(defaultOf(s3Key))
                .isNotEqualTo(defaultOf(services.at("/minio/environment/MINIO_ROOT_USER").asText()))
                .isNotEqualTo(
                        defaultOf(services.at("/submit/environment/RMBG_S3_ACCESS_KEY").asText()));
        assertThat(services.at("/minio-init/environment/RESULTS_ACCESS_KEY").asText())
                .isEqualTo(s3Key);
        JsonNode policy =
                new ObjectMapper()
                        .readTree(ROOT.resolve("docker/minio/results-policy.json").toFile());
        for (JsonNode statement : policy.path("Statement")) {
            assertThat(names(statement.path("Action"))).containsExactly("s3:GetObject");
        }
        assertThat(Files.readString(ROOT.resolve("docker/create-buckets.sh")))
                .contains("results-policy.json");
    }

    @Test
    void blobsDeletedByGarbageCollectionStayRecoverableForAWhile() throws Exception {
        String buckets = Files.readString(ROOT.resolve("docker/create-buckets.sh"));
        assertThat(buckets)
                .contains("mc version enable local/rmbg\n")
                .contains("mc ilm import local/rmbg < /rmbg/docker/minio/rmbg-lifecycle.json");
        assertThat(buckets).doesNotContain("mc version enable local/rmbg-checkpoints");
        JsonNode rule =
                new ObjectMapper()
                        .readTree(ROOT.resolve("docker/minio/rmbg-lifecycle.json").toFile())
                        .at("/Rules/0");
        assertThat(rule.path("Status").asText()).isEqualTo("Enabled");
        assertThat(rule.at("/NoncurrentVersionExpiration/NoncurrentDays").asInt())
                .as("noncurrent versions outlive a few GC runs")
                .isGreaterThanOrEqualTo(7);
        assertThat(rule.has("Expiration") && rule.at("/Expiration/Days").isMissingNode())
                .as("current blobs never expire by age: only GC decides")
                .isTrue();
    }

    @Test
    void theMaintenanceServiceRunsTheOpsCommandOnAScheduleAsTheSchemaOwner() throws Exception {
        JsonNode maintenance = services.path("maintenance");
        assertThat(names(maintenance.path("entrypoint")))
                .containsExactly("/bin/bash", "/rmbg/docker/maintain-loop.sh");
        assertThat(maintenance.path("restart").asText()).isEqualTo("unless-stopped");
        assertThat(volumes("maintenance")).contains("./ops/target:/rmbg/ops:ro");
        String loop = Files.readString(ROOT.resolve("docker/maintain-loop.sh"));
        assertThat(loop)
                .contains("CP=\"/rmbg/ops/*:/rmbg/ops/lib/*\"")
                .contains("io.rmbg.ops.OpsCommand")
                .contains("ops maintain --retention --gc --apply")
                .contains("ops backup \"$dir\"")
                .contains("RMBG_MAINTAIN_EVERY")
                .contains("RMBG_MAINTAIN_AT");
        JsonNode env = maintenance.path("environment");
        assertThat(env.has("RMBG_MAINTAIN_AT")).isTrue();
        assertThat(env.has("RMBG_MAINTAIN_EVERY")).isTrue();
        assertThat(env.path("RMBG_BACKUP_DIR").asText()).isEqualTo("/backups");
        assertThat(volumes("maintenance")).contains("ops-backups:/backups");

        // Retention deletes job rows and drops partitions: the role that created the schema
        // (01-schema.sql runs as POSTGRES_USER), never the job's, which may not delete them.
        JsonNode postgres = services.at("/postgres/environment");
        assertThat(env.path("RMBG_JDBC_USER").asText())
                .isEqualTo(defaultOf(postgres.path("POSTGRES_USER").asText()))
                .isNotEqualTo(
                        defaultOf(services.at("/submit/environment/RMBG_JDBC_USER").asText()));
        assertThat(env.path("RMBG_JDBC_PASSWORD").asText())
                .isEqualTo(postgres.path("POSTGRES_PASSWORD").asText());
        assertThat(volumes("postgres"))
                .anyMatch(v -> v.startsWith("./sql/schema.sql:/docker-entrypoint-initdb.d/01-"));

        // Its own MinIO user: lists, reads and deletes blobs; never writes, never the root.
        String key = env.path("RMBG_S3_ACCESS_KEY").asText();
        assertThat(defaultOf(key))
                .isNotBlank()
                .isNotEqualTo(defaultOf(services.at("/minio/environment/MINIO_ROOT_USER").asText()))
                .isNotEqualTo(
                        defaultOf(services.at("/submit/environment/RMBG_S3_ACCESS_KEY").asText()));
        assertThat(services.at("/minio-init/environment/MAINTENANCE_ACCESS_KEY").asText())
                .isEqualTo(key);
        assertThat(Files.readString(ROOT.resolve("docker/create-buckets.sh")))
                .contains("rmbg-maintenance /rmbg/docker/minio/maintenance-policy.json");
        JsonNode policy =
                new ObjectMapper()
                        .readTree(ROOT.resolve("docker/minio/maintenance-policy.json").toFile());
        for (JsonNode statement : policy.path("Statement")) {
            List<String> actions = names(statement.path("Action"));
            assertThat(actions).isSubsetOf("s3:ListBucket", "s3:GetObject", "s3:DeleteObject");
            if (actions.contains("s3:DeleteObject")) {
                assertThat(names(statement.path("Resource")))
                        .as("GC never deletes users' uploads")
                        .noneMatch(r -> r.contains("uploads"));
            }
        }

        // pg_dump as new as the server, so the daily backup is a pg_dump -Fc archive.
        String ops = Files.readString(ROOT.resolve("docker/ops.Dockerfile"));
        String server = Files.readString(ROOT.resolve("docker/postgres.Dockerfile"));
        String base = firstFrom(server);
        assertThat(base).startsWith("postgres:17.");
        assertThat(ops).contains("FROM " + base + "\n").contains("/opt/java/openjdk");
        assertThat(maintenance.at("/build/dockerfile").asText()).isEqualTo("docker/ops.Dockerfile");
    }

    @Test
    void walIsArchivedToTheObjectStoreWithItsOwnUser() throws Exception {
        JsonNode postgres = services.path("postgres");
        assertThat(postgres.at("/build/dockerfile").asText())
                .isEqualTo("docker/postgres.Dockerfile");
        assertThat(Files.readString(ROOT.resolve("docker/postgres.Dockerfile")))
                .contains("apt-get install -y --no-install-recommends pgbackrest");
        List<String> command = names(postgres.path("command"));
        assertThat(command)
                .contains(
                        "archive_mode=on",
                        "archive_command=pgbackrest --stanza=rmbg archive-push %p",
                        "wal_level=replica")
                .anyMatch(c -> c.startsWith("archive_timeout="));
        assertThat(volumes("postgres"))
                .contains("./docker/pgbackrest.conf:/etc/pgbackrest/pgbackrest.conf:ro");

        List<String> conf = Files.readAllLines(ROOT.resolve("docker/pgbackrest.conf"));
        assertThat(conf)
                .contains(
                        "[rmbg]",
                        "repo1-type=s3",
                        "repo1-s3-endpoint=http://minio:9000",
                        "repo1-s3-uri-style=path",
                        "repo1-s3-bucket=rmbg-backups",
                        "pg1-path=/var/lib/postgresql/data")
                .as("keys come from the environment, not the file")
                .noneMatch(l -> l.startsWith("repo1-s3-key"));

        String walKey = postgres.at("/environment/PGBACKREST_REPO1_S3_KEY").asText();
        assertThat(defaultOf(walKey))
                .isNotBlank()
                .isNotEqualTo(defaultOf(services.at("/minio/environment/MINIO_ROOT_USER").asText()))
                .isNotEqualTo(
                        defaultOf(services.at("/submit/environment/RMBG_S3_ACCESS_KEY").asText()));
        assertThat(services.at("/minio-init/environment/WAL_ACCESS_KEY").asText())
                .isEqualTo(walKey);
        assertThat(services.at("/pgbackrest/environment/PGBACKREST_REPO1_S3_KEY").asText())
                .isEqualTo(walKey);
        String buckets = Files.readString(ROOT.resolve("docker/create-buckets.sh"));
        assertThat(buckets)
                .contains("mc mb --ignore-existing local/rmbg-backups\n")
                .contains("rmbg-wal /rmbg/docker/minio/wal-policy.json");
        JsonNode policy =
                new ObjectMapper().readTree(ROOT.resolve("docker/minio/wal-policy.json").toFile());
        for (JsonNode statement : policy.path("Statement")) {
            assertThat(names(statement.path("Resource")))
                    .allMatch(r -> r.startsWith("arn:aws:s3:::rmbg-backups"));
        }

        // Base backups: beside the server, on its data volume and socket.
        JsonNode pgbackrest = services.path("pgbackrest");
        assertThat(pgbackrest.path("user").asText()).isEqualTo("postgres");
        assertThat(pgbackrest.path("image").asText()).isEqualTo(postgres.path("image").asText());
        assertThat(volumes("pgbackrest"))
                .contains(
                        "postgres-data:/var/lib/postgresql/data",
                        "postgres-run:/var/run/postgresql");
        assertThat(volumes("postgres")).contains("postgres-run:/var/run/postgresql");
        assertThat(Files.readString(ROOT.resolve("docker/pgbackrest-loop.sh")))
                .contains("pgbackrest stanza-create")
                .contains("pgbackrest check")
                .contains("pgbackrest backup --type=");
    }

    @Test
    void secretsAreVariablesWithLocalDefaultsOnly() {
        Pattern secret = Pattern.compile(".*(PASSWORD|SECRET|_KEY|_PASS)$");
        for (Map.Entry<String, JsonNode> service : services.properties()) {
            for (Map.Entry<String, JsonNode> e :
                    service.getValue().path("environment").properties()) {
                if (secret.matcher(e.getKey()).matches()) {
                    assertThat(e.getValue().asText())
                            .as(
                                    "%s of %s: from .env, with a local default",
                                    e.getKey(), service.getKey())
                            .matches("\\$\\{RMBG_[A-Z0-9_]+:-[^}]*}");
                }
            }
        }
    }

    private static String firstFrom(String dockerfile) {
        Matcher m = Pattern.compile("(?m)^FROM (\\S+)\\s*$").matcher(dockerfile);
        assertThat(m.find()).as("a FROM line without a stage name").isTrue();
        return m.group(1);
    }

    /** The default of a {@code ${VAR:-default}} value, or the value itself. */
    private static String defaultOf(String value) {
        Matcher m = Pattern.compile("\\$\\{[A-Z0-9_]+:-([^}]*)}").matcher(value);
        return m.matches() ? m.group(1) : value;
    }

    private static List<String> volumes(String service) {
        List<String> out = new ArrayList<>();
        services.path(service).path("volumes").forEach(v -> out.add(v.asText()));
        return out;
    }

    @Test
    void theJobAndTheResultsServiceShareTheMasterKeyWithoutADefault() {
        for (String service : List.of("submit", "results")) {
            assertThat(
                            services.at("/" + service + "/environment/RMBG_SECURITY_MASTER_KEY")
                                    .asText())
                    .as("%s: sensitive images need the same key in both, never a default", service)
                    .isEqualTo("${RMBG_SECURITY_MASTER_KEY:-}");
        }
    }

    @Test
    void theTaskManagerGetsAGpuAndRunsOnnxSafely() {
        JsonNode device = services.at("/taskmanager/deploy/resources/reservations/devices/0");
        assertThat(device.path("driver").asText()).isEqualTo("nvidia");
        assertThat(names(device.path("capabilities"))).contains("gpu");
        assertThat(services.at("/taskmanager/environment/ORT_DISABLE_TELEMETRY").asText())
                .isEqualTo("1");
    }

    private static String property(String name) {
        Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)<").matcher(pom);
        assertThat(m.find()).as("property %s in pom.xml", name).isTrue();
        return m.group(1);
    }

    private static List<String> ports(String service) {
        List<String> out = new ArrayList<>();
        services.path(service).path("ports").forEach(p -> out.add(p.asText()));
        return out;
    }

    private static List<String> names(JsonNode node) {
        List<String> out = new ArrayList<>();
        if (node.isObject()) {
            node.fieldNames().forEachRemaining(out::add);
        } else {
            node.forEach(n -> out.add(n.asText()));
        }
        return out;
    }
}

package io.rmbg.udf;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.jar.JarFile;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The udf jar is what {@code ADD JAR} and {@code CREATE FUNCTION … USING JAR} load into the SQL
 * client: the SQL functions and nothing else (no engine, no Flink functions, no test tooling).
 */
class UdfJarITCase {

    @Test
    void carriesTheSqlFunctionsAndNothingElse() throws IOException {
        Path jarPath;
        try (Stream<Path> files = Files.list(Path.of("target"))) {
            jarPath =
                    files.filter(
                                    p ->
                                            p.getFileName()
                                                    .toString()
                                                    .matches("rmbg-udf-[^-]+(-SNAPSHOT)?\\.jar"))
                            .findFirst()
                            .orElseThrow(
                                    () ->
                                            new AssertionError(
                                                    "no rmbg-udf jar in udf/target: run mvn package"));
        }
        List<String> classes;
        try (JarFile jar = new JarFile(jarPath.toFile())) {
            classes =
                    Collections.list(jar.entries()).stream()
                            .map(e -> e.getName())
                            .filter(e -> e.endsWith(".class"))
                            .toList();
        }
        assertThat(classes)
                .contains("io/rmbg/udf/sql/ErrorRate.class", "io/rmbg/udf/sql/Percentile.class")
                .allMatch(e -> e.startsWith("io/rmbg/udf/sql/"), "a SQL function class");
    }
}

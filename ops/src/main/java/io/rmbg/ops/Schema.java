package io.rmbg.ops;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * sql/schema.sql, packed into this module's jar (a backup carries the schema it was taken with).
 */
final class Schema {
    private Schema() {}

    static String sql() throws IOException {
        try (InputStream in = Schema.class.getResourceAsStream("/sql/schema.sql")) {
            if (in == null) {
                throw new IllegalStateException(
                        "sql/schema.sql is missing from the classpath; rebuild with mvn install");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}

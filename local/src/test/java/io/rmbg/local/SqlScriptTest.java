package io.rmbg.local;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class SqlScriptTest {
    private static final Map<String, String> VALUES =
            Map.of("JDBC_URL", "jdbc:postgresql://db/rmbg", "JDBC_PASSWORD", "it's;secret");

    @Test
    void splitsOnSemicolonsOutsideQuotesAndComments() {
        List<SqlScript.Statement> statements =
                SqlScript.split(
                        """
                -- a header; with a semicolon
                SET 'a' = 'x;y';

                CREATE TABLE t (`we;ird` INT) -- trailing; comment
                WITH ('k' = 'it''s; fine');
                /* block; comment */ SELECT "q;uoted" FROM t
                """);
        assertThat(statements).extracting(SqlScript.Statement::line).containsExactly(2, 4, 6);
        assertThat(statements)
                .extracting(SqlScript.Statement::sql)
                .containsExactly(
                        "SET 'a' = 'x;y'",
                        "CREATE TABLE t (`we;ird` INT) \nWITH ('k' = 'it''s; fine')",
                        "/* block; comment */ SELECT \"q;uoted\" FROM t");
    }

    @Test
    void dropsStatementsOfOnlyComments() {
        assertThat(SqlScript.split("-- nothing;\n/* here */;\n  ;\n")).isEmpty();
    }

    @Test
    void keepsHints() {
        assertThat(SqlScript.split("SELECT * FROM t /*+ OPTIONS('scan.fetch-size' = '10') */;"))
                .extracting(SqlScript.Statement::sql)
                .containsExactly("SELECT * FROM t /*+ OPTIONS('scan.fetch-size' = '10') */");
    }

    @Test
    void substitutesPlaceholdersAsStringLiteralContent() {
        SqlScript.Statement s =
                new SqlScript.Statement(
                        3, "'url' = '${JDBC_URL}', 'password' = '${JDBC_PASSWORD}'");
        assertThat(SqlScript.substitute(s, VALUES))
                .isEqualTo("'url' = 'jdbc:postgresql://db/rmbg', 'password' = 'it''s;secret'");
    }

    @Test
    void refusesUnknownPlaceholders() {
        SqlScript.Statement s = new SqlScript.Statement(7, "'url' = '${JDBC_ULR}'");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> SqlScript.substitute(s, VALUES))
                .withMessageContaining("line 7")
                .withMessageContaining("${JDBC_ULR}")
                .withMessageContaining("${JDBC_URL}");
    }

    @Test
    void knowsWhichPlaceholdersAreUsed() {
        List<SqlScript.Statement> statements =
                SqlScript.split("-- ${KAFKA_BOOTSTRAP}\nSELECT '${JDBC_URL}';");
        assertThat(SqlScript.uses(statements, "JDBC_URL")).isTrue();
        assertThat(SqlScript.uses(statements, "KAFKA_BOOTSTRAP")).isFalse(); // only in a comment
    }
}

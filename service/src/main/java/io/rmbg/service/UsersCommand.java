package io.rmbg.service;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code bin/rmbg users add NAME [--admin]}: makes sure user NAME exists and prints a new bearer
 * token for it, once (only its SHA-256 is stored). The database is the local stack's unless {@code
 * RMBG_JDBC_URL}, {@code RMBG_JDBC_USER} and {@code RMBG_JDBC_PASSWORD} say otherwise; the role
 * needs INSERT on users and api_tokens (the results service's own role only reads).
 */
public final class UsersCommand {
    static final String USAGE = "usage: bin/rmbg users add NAME [--admin]";

    private UsersCommand() {}

    public static void main(String[] args) throws Exception {
        System.exit(run(args, System.getenv()));
    }

    static int run(String[] args, Map<String, String> env) {
        List<String> rest = new ArrayList<>(List.of(args));
        boolean admin = rest.remove("--admin");
        if (rest.size() != 2 || !rest.get(0).equals("add")) {
            System.err.println(USAGE);
            return 2;
        }
        String name = rest.get(1);
        if (name.isEmpty() || name.length() > 64) {
            System.err.println("rmbg users: NAME must have 1..64 characters (it is the user_id)");
            return 2;
        }
        ServiceConfig config = ServiceConfig.fromEnvironment(env);
        try (Connection c =
                DriverManager.getConnection(
                        config.jdbcUrl(), config.jdbcUser(), config.jdbcPassword())) {
            String token = add(c, name, admin);
            System.out.println(token);
            System.err.println(
                    "rmbg users: token for "
                            + name
                            + (admin ? " (admin)" : "")
                            + " printed above; it is shown only once. Use it as"
                            + " 'Authorization: Bearer <token>' or paste it into the page.");
            return 0;
        } catch (SQLException e) {
            System.err.println(
                    "rmbg users: cannot write to "
                            + config.jdbcUrl()
                            + " ("
                            + e.getMessage()
                            + "). Is the stack running (bin/rmbg local)? Is the schema applied"
                            + " (psql -f sql/schema.sql)?");
            return 1;
        }
    }

    /** Adds the user if new, stores a new token's hash, returns the token. */
    public static String add(Connection c, String name, boolean admin) throws SQLException {
        String token = Tokens.newToken();
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            try (PreparedStatement ps =
                    c.prepareStatement(
                            "INSERT INTO users (user_id) VALUES (?) ON CONFLICT (user_id) DO NOTHING")) {
                ps.setString(1, name);
                ps.executeUpdate();
            }
            try (PreparedStatement ps =
                    c.prepareStatement(
                            "INSERT INTO api_tokens (token_sha256, user_id, is_admin) VALUES (?, ?, ?)")) {
                ps.setString(1, Tokens.sha256(token));
                ps.setString(2, name);
                ps.setBoolean(3, admin);
                ps.executeUpdate();
            }
            c.commit();
            return token;
        } catch (SQLException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
    }
}

package io.rmbg.service;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** Maps {@code Authorization: Bearer <token>} to a {@link Principal} through {@code api_tokens}. */
public final class TokenAuth {
    public static final String SQL =
            "SELECT user_id, is_admin FROM api_tokens WHERE token_sha256 = ?";

    private final Database db;

    TokenAuth(Database db) {
        this.db = db;
    }

    Principal authenticate(String authorization) throws ApiException, SQLException {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new ApiException(
                    401,
                    "send Authorization: Bearer <token> (bin/rmbg users add NAME prints a token)");
        }
        String hash = Tokens.sha256(authorization.substring(7).trim());
        Principal p =
                db.query(
                        (Connection c) -> {
                            try (PreparedStatement ps = c.prepareStatement(SQL)) {
                                ps.setString(1, hash);
                                try (ResultSet rs = ps.executeQuery()) {
                                    return rs.next()
                                            ? new Principal(rs.getString(1), rs.getBoolean(2))
                                            : null;
                                }
                            }
                        });
        if (p == null) {
            throw new ApiException(
                    401, "unknown token: ask for a new one (bin/rmbg users add NAME)");
        }
        return p;
    }
}

package io.rmbg.core.reuse;

import io.rmbg.core.records.BlobRef;

import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import java.util.Properties;
import java.util.ServiceLoader;

/**
 * The result reuse index in PostgreSQL's {@code result_reuse} table (sql/schema.sql), one row per
 * reuse key. One connection per slot, opened lazily and reopened after a failure; every statement
 * has a short timeout so that a slow or absent database degrades reuse to recomputing instead of
 * holding images up.
 */
final class JdbcResultIndex implements ResultIndex {
    private static final int TIMEOUT_SECONDS = 5;

    private static final String FIND =
            "SELECT original_path, original_sha256, original_bytes, original_type,"
                    + " mask_path, mask_sha256, mask_bytes, processed_path, processed_sha256,"
                    + " processed_bytes, image_width, image_height, model, model_version"
                    + " FROM result_reuse WHERE reuse_key = ?";
    private static final String REMEMBER =
            "INSERT INTO result_reuse (reuse_key, original_path, original_sha256, original_bytes,"
                    + " original_type, mask_path, mask_sha256, mask_bytes, processed_path,"
                    + " processed_sha256, processed_bytes, image_width, image_height, model,"
                    + " model_version, created_at)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now())"
                    + " ON CONFLICT (reuse_key) DO UPDATE SET original_path = EXCLUDED.original_path,"
                    + " original_sha256 = EXCLUDED.original_sha256,"
                    + " original_bytes = EXCLUDED.original_bytes,"
                    + " original_type = EXCLUDED.original_type, mask_path = EXCLUDED.mask_path,"
                    + " mask_sha256 = EXCLUDED.mask_sha256, mask_bytes = EXCLUDED.mask_bytes,"
                    + " processed_path = EXCLUDED.processed_path,"
                    + " processed_sha256 = EXCLUDED.processed_sha256,"
                    + " processed_bytes = EXCLUDED.processed_bytes,"
                    + " image_width = EXCLUDED.image_width, image_height = EXCLUDED.image_height,"
                    + " model = EXCLUDED.model, model_version = EXCLUDED.model_version";
    private static final String FORGET = "DELETE FROM result_reuse WHERE reuse_key = ?";

    private final String url;
    private final String user;
    private final String password;
    private Connection connection;

    JdbcResultIndex(String url, String user, String password) {
        this.url = url;
        this.user = user;
        this.password = password;
    }

    @Override
    public synchronized Optional<ReusableResult> find(String key) {
        try (PreparedStatement find = connection().prepareStatement(FIND)) {
            find.setQueryTimeout(TIMEOUT_SECONDS);
            find.setString(1, key);
            try (ResultSet row = find.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                int width = row.getInt("image_width");
                int height = row.getInt("image_height");
                String type = row.getString("original_type");
                return Optional.of(
                        new ReusableResult(
                                blob(row, "original", width, height, type),
                                blob(row, "mask", width, height, "image/png"),
                                blob(row, "processed", width, height, "image/png"),
                                width,
                                height,
                                row.getString("model"),
                                row.getString("model_version")));
            }
        } catch (SQLException e) {
            throw failed("read", e);
        }
    }

    @Override
    public synchronized void remember(String key, ReusableResult result) {
        try (PreparedStatement remember = connection().prepareStatement(REMEMBER)) {
            remember.setQueryTimeout(TIMEOUT_SECONDS);
            int i = 1;
            remember.setString(i++, key);
            i = bind(remember, i, result.original());
            remember.setString(i++, result.original().contentType());
            i = bind(remember, i, result.mask());
            i = bind(remember, i, result.processed());
            remember.setInt(i++, result.width());
            remember.setInt(i++, result.height());
            remember.setString(i++, result.model());
            remember.setString(i, result.modelVersion());
            remember.executeUpdate();
        } catch (SQLException e) {
            throw failed("write", e);
        }
    }

    @Override
    public synchronized void forget(String key) {
        try (PreparedStatement forget = connection().prepareStatement(FORGET)) {
            forget.setQueryTimeout(TIMEOUT_SECONDS);
            forget.setString(1, key);
            forget.executeUpdate();
        } catch (SQLException e) {
            throw failed("update", e);
        }
    }

    private static int bind(PreparedStatement statement, int i, BlobRef blob) throws SQLException {
        statement.setString(i++, blob.uri());
        statement.setString(i++, blob.sha256());
        statement.setLong(i++, blob.bytes());
        return i;
    }

    private static BlobRef blob(ResultSet row, String prefix, int width, int height, String type)
            throws SQLException {
        return new BlobRef(
                row.getString(prefix + "_path"),
                row.getString(prefix + "_sha256"),
                row.getLong(prefix + "_bytes"),
                width,
                height,
                type);
    }

    private Connection connection() throws SQLException {
        if (connection == null || connection.isClosed()) {
            connection = driver().connect(url, properties());
            if (connection == null) {
                throw new SQLException("the JDBC driver does not accept " + url);
            }
        }
        return connection;
    }

    /**
     * The driver from this class's own class loader: on a TaskManager the driver sits in the job
     * jar, which {@link java.sql.DriverManager} (loaded by the system class loader) may not see.
     */
    private Driver driver() throws SQLException {
        for (Driver driver : ServiceLoader.load(Driver.class, getClass().getClassLoader())) {
            if (driver.acceptsURL(url)) {
                return driver;
            }
        }
        return DriverManager.getDriver(url);
    }

    private Properties properties() {
        Properties properties = new Properties();
        if (user != null) {
            properties.setProperty("user", user);
        }
        if (password != null) {
            properties.setProperty("password", password);
        }
        // PostgreSQL: give up connecting and reading after the statement timeout.
        properties.setProperty("connectTimeout", String.valueOf(TIMEOUT_SECONDS));
        properties.setProperty("socketTimeout", String.valueOf(TIMEOUT_SECONDS * 2));
        return properties;
    }

    private ResultIndexException failed(String what, SQLException e) {
        close(); // the next call reconnects
        return new ResultIndexException(
                "could not "
                        + what
                        + " the result reuse index (result_reuse at "
                        + url
                        + "): "
                        + e.getMessage(),
                e);
    }

    @Override
    public synchronized void close() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // closing a broken connection: nothing left to release
            }
            connection = null;
        }
    }
}

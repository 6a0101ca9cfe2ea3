package dev.ferry.sources.sql;

import dev.ferry.core.engine.ChunkSource;
import dev.ferry.core.engine.RowInput;
import dev.ferry.core.spi.ChunkSpec;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the planned rows of one chunk of a {@link SqlSource}, in planned order, {@value SqlSource#PAGE} keys per
 * query, each row as the table holds it when its page is read. A planned key the query no longer returns gives a
 * row with the error {@value SqlSource#GONE} and a record holding only the key. Rows the query returns now but
 * that were not planned are never read. Not threadsafe: one per chunk; it holds one connection until closed.
 */
final class SqlChunkCursor implements ChunkSource.RowCursor {
  private final JdbcDatabase db;
  private final SqlSourceConfig config;
  private final ChunkSpec chunk;
  private final KeyType type;
  private final List<Object> keys;
  private Connection connection;
  private Map<Object, Map<String, Object>> page = Map.of();
  private int pageEnd;
  private int next;
  private String keyLabel;

  SqlChunkCursor(JdbcDatabase db, SqlSourceConfig config, ChunkSpec chunk) throws IOException {
    this.db = db;
    this.config = config;
    this.chunk = chunk;
    KeyType.Decoded decoded;
    try {
      decoded = KeyType.decode(chunk.position());
    } catch (IllegalArgumentException e) {
      throw new IOException("chunk " + chunk.index() + " was not planned by a SQL source: " + e.getMessage(), e);
    }
    if (decoded.keys().size() != chunk.rowCount()) {
      throw new IOException("chunk " + chunk.index() + " has " + chunk.rowCount() + " rows but its position holds "
          + decoded.keys().size() + " keys");
    }
    this.type = decoded.type();
    this.keys = decoded.keys();
    this.keyLabel = config.key();
  }

  @Override
  public RowInput next() throws IOException {
    if (next >= keys.size()) return null;
    if (next >= pageEnd) readPage(next);
    Object key = keys.get(next);
    long row = chunk.firstRow() + next;
    next++;
    Map<String, Object> record = page.get(key);
    return record == null
        ? new RowInput(row, chunk.index(), row, null, SqlSource.GONE, Map.of(keyLabel, key))
        : new RowInput(row, chunk.index(), row, null, null, record);
  }

  private void readPage(int from) throws IOException {
    int to = Math.min(from + SqlSource.PAGE, keys.size());
    StringBuilder sql = new StringBuilder("SELECT * FROM (").append(config.query()).append(") q WHERE q.")
        .append(config.key()).append(" IN (");
    for (int i = from; i < to; i++) sql.append(i == from ? "?" : ", ?");
    sql.append(')');
    try {
      if (connection == null) connection = db.connect();
      try (PreparedStatement ps = connection.prepareStatement(sql.toString())) {
        for (int i = from; i < to; i++) type.bind(ps, i - from + 1, keys.get(i));
        Map<Object, Map<String, Object>> rows = new HashMap<>((to - from) * 2);
        try (ResultSet rs = ps.executeQuery()) {
          int keyColumn = keyColumn(rs.getMetaData());
          while (rs.next()) {
            Object key = type.read(rs, keyColumn);
            if (key != null) rows.put(key, SqlValues.record(rs));
          }
        }
        page = rows;
        pageEnd = to;
      }
    } catch (SQLException e) {
      throw new IOException(db.message("read chunk " + chunk.index() + " of the query", e));
    }
  }

  private int keyColumn(ResultSetMetaData md) throws SQLException {
    for (int c = 1; c <= md.getColumnCount(); c++) {
      if (md.getColumnLabel(c).equalsIgnoreCase(config.key())) {
        keyLabel = md.getColumnLabel(c);
        return c;
      }
    }
    throw new SQLException("the query has no column '" + config.key() + "'");
  }

  @Override
  public void close() throws IOException {
    if (connection == null) return;
    try {
      connection.close();
    } catch (SQLException e) {
      throw new IOException(db.message("close the connection of chunk " + chunk.index(), e));
    } finally {
      connection = null;
    }
  }
}

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
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the planned rows of one chunk of a {@link SqlSource}, in planned order, by keyset pages over the chunk's key
 * range: {@code SELECT * FROM (query) q WHERE key > ? AND key <= last ORDER BY key LIMIT n} (the first page from
 * {@code key >= first}), each a short query of its own, so a row is read as the table holds it shortly before it is
 * sent and no transaction stays open while the chunk is worked on.
 *
 * <p>Rows are matched to the plan by key, never by position: a row the query returns now but whose key was not
 * planned (inserted since) is skipped; a planned key the query no longer returns gives a row with the error
 * {@value SqlSource#GONE} and a record holding only the key. The database orders keys now as it did when planning
 * (same query, same collation), which is what lets a planned key be declared gone once a later one was read.
 *
 * <p>Not threadsafe: one per chunk; it holds one connection until closed.
 */
final class SqlChunkCursor implements ChunkSource.RowCursor {
  private final JdbcDatabase db;
  private final SqlSourceConfig config;
  private final ChunkSpec chunk;
  private final KeyType type;
  private final List<Object> keys;
  private final Map<Object, Integer> plannedIndex;
  /** Rows of the current page that were planned, in key order: index into {@link #keys}, then the record. */
  private final ArrayDeque<Read> page = new ArrayDeque<>();
  private Connection connection;
  private PreparedStatement firstPage;
  private PreparedStatement laterPage;
  /** The last key the database returned (planned or not), or null before the first page. */
  private Object lastRead;
  /** True once a page came back short: the database has no more rows in the chunk's range. */
  private boolean exhausted;
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
    this.plannedIndex = new HashMap<>(keys.size() * 2);
    for (int i = 0; i < keys.size(); i++) plannedIndex.put(keys.get(i), i);
    this.keyLabel = config.key();
    this.exhausted = keys.isEmpty();
  }

  @Override
  public RowInput next() throws IOException {
    if (next >= keys.size()) return null;
    while (page.isEmpty() && !exhausted) readPage();
    Read head = page.peekFirst();
    int index = next++;
    long row = chunk.firstRow() + index;
    if (head != null && head.index() < index) {
      throw new IOException("chunk " + chunk.index() + ": the database orders the keys of " + db.location()
          + " differently from when the job was planned (key " + head.key() + ")");
    }
    if (head != null && head.index() == index) {
      page.removeFirst();
      return new RowInput(row, chunk.index(), row, null, null, head.record());
    }
    return new RowInput(row, chunk.index(), row, null, SqlSource.GONE, Map.of(keyLabel, keys.get(index)));
  }

  private void readPage() throws IOException {
    try {
      PreparedStatement ps;
      if (lastRead == null) {
        ps = firstPage == null ? firstPage = prepare(">=") : firstPage;
        type.bind(ps, 1, keys.get(0));
      } else {
        ps = laterPage == null ? laterPage = prepare(">") : laterPage;
        type.bind(ps, 1, lastRead);
      }
      type.bind(ps, 2, keys.get(keys.size() - 1));
      int rows = 0;
      try (ResultSet rs = ps.executeQuery()) {
        int keyColumn = keyColumn(rs.getMetaData());
        SqlValues.Columns columns = SqlValues.Columns.of(rs);
        while (rs.next()) {
          rows++;
          Object key = type.read(rs, keyColumn);
          if (key == null) continue;
          lastRead = key;
          Integer index = plannedIndex.get(key);
          if (index != null) page.addLast(new Read(index, key, columns.record(rs)));
        }
      }
      if (rows < SqlSource.PAGE) exhausted = true;
    } catch (SQLException e) {
      throw new IOException(db.message("read chunk " + chunk.index() + " of the query", e));
    }
  }

  private PreparedStatement prepare(String from) throws SQLException {
    if (connection == null) connection = db.connect();
    String k = "q." + config.key();
    return connection.prepareStatement("SELECT * FROM (" + config.query() + ") q WHERE " + k + " " + from + " ? AND "
        + k + " <= ? ORDER BY " + k + " LIMIT " + SqlSource.PAGE);
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
      connection.close(); // closes its statements
    } catch (SQLException e) {
      throw new IOException(db.message("close the connection of chunk " + chunk.index(), e));
    } finally {
      connection = null;
    }
  }

  /** A planned row as read: its index in the chunk, key and record. */
  private record Read(int index, Object key, Map<String, Object> record) {}
}

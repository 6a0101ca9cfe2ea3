package dev.ferry.sources.sql;

import dev.ferry.core.engine.ChunkSource;
import dev.ferry.core.engine.RowInput;
import dev.ferry.core.source.ChunkPlan;
import dev.ferry.core.source.InputException;
import dev.ferry.core.spi.ChunkSpec;
import dev.ferry.sources.RecordSource;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A job's input read from a SQL query over JDBC (PostgreSQL, MariaDB/MySQL, SQLite), paged by a unique key column.
 *
 * <p>Planning reads the query's keys once, in key order ({@code SELECT key FROM (query) q ORDER BY key}, streamed
 * with a fetch size: memory holds one chunk's keys at a time), and every {@code chunkSize} keys make a chunk whose
 * {@linkplain ChunkSpec#position() position} is exactly those keys ({@link KeyType}: integer keys as runs, text keys
 * as a list). Reading a chunk walks its key range in keyset pages of {@value #PAGE} rows ({@link SqlChunkCursor})
 * and matches rows to the plan by key, so a row's number never depends on what else the table holds now. Planning shows each row to the visitor with a record holding only its key: it reads no other column.
 *
 * <p>What "changed" means for a live table:
 * <ul>
 *   <li>The job's rows are the keys the query returned at planning. Rows inserted afterwards are never part of the
 *       job, wherever their key falls.</li>
 *   <li>A planned row is read when its chunk is sent, as it is then: updates made meanwhile are sent.</li>
 *   <li>A planned row deleted before it is read comes with the error {@value #GONE} (it ends {@code invalid}).</li>
 *   <li>A resume ({@link #checkUnchanged}) re-reads the keys up to the last planned one and refuses to go on when
 *       they are not exactly the planned ones (rows deleted, or inserted inside the planned range), or when the
 *       query or key column differ from the planned ones. Rows added after the last planned key (a table that
 *       grows) do not stop a resume.</li>
 * </ul>
 *
 * <p>Secrets: the URL's credentials and the password never appear in {@link #describe}, messages or positions.
 *
 * <p>This class is immutable and threadsafe: planning and every open chunk use their own connection.
 */
public final class SqlSource implements RecordSource {
  /** Why a planned row has no record: it was deleted since planning. */
  public static final String GONE = "row no longer in the source";
  /** Keys per round trip while planning and checking (the driver's fetch size). */
  static final int FETCH_SIZE = 1_000;
  /** Rows per keyset page while reading a chunk. */
  static final int PAGE = 100;

  private final SqlSourceConfig config;
  private final JdbcDatabase db;

  /** @throws IllegalArgumentException if the URL is not a JDBC URL */
  public SqlSource(SqlSourceConfig config) {
    this.config = Objects.requireNonNull(config, "config cannot be null");
    this.db = new JdbcDatabase(config.url(), config.user(), config.password());
  }

  /**
   * {@inheritDoc}
   *
   * <p>The plan's size is the number of rows; its fingerprint is {@link KeyFingerprint}'s. The visitor sees each
   * row with a record of its key only.
   *
   * @throws InputException when the query fails, or its key column is missing, NULL, not unique, or neither
   *     integer nor text
   */
  @Override
  public ChunkPlan plan(int chunkSize, Consumer<RowInput> visitor) throws IOException {
    Objects.requireNonNull(visitor, "visitor cannot be null");
    if (chunkSize < 1) throw new IllegalArgumentException("chunkSize must be at least 1, was " + chunkSize);
    KeyFingerprint fingerprint = new KeyFingerprint(config.query(), config.key());
    List<ChunkSpec> chunks = new ArrayList<>();
    List<Object> keys = new ArrayList<>();
    KeyType type = null;
    try (Connection c = db.connect()) {
      c.setAutoCommit(false); // PostgreSQL streams with a fetch size only inside a transaction
      try (PreparedStatement ps = keysQuery(c, "")) {
        try (ResultSet rs = ps.executeQuery()) {
          String label = null;
          Object previous = null;
          long row = 0;
          boolean eachRow = db.isSqlite(); // the only one whose column may hold keys of several types
          while (rs.next()) {
            if (type == null) {
              label = rs.getMetaData().getColumnLabel(1);
              type = keyType(rs);
            }
            if (eachRow && !type.holds(rs, 1)) throw mixedKeys(type, row + 1);
            Object key = type.read(rs, 1);
            row++;
            requireUsableKey(key, previous);
            fingerprint.add(type, key);
            keys.add(key);
            visitor.accept(new RowInput(row, chunks.size(), row, null, null, Map.of(label, key)));
            if (keys.size() == chunkSize) {
              chunks.add(chunk(chunks.size(), row - keys.size() + 1, type, keys));
              keys.clear();
            }
            previous = key;
          }
          if (!keys.isEmpty()) chunks.add(chunk(chunks.size(), row - keys.size() + 1, type, keys));
        }
      } finally {
        c.rollback();
      }
    } catch (SQLException e) {
      throw new InputException(db.message("read the keys of the query", e));
    }
    return new ChunkPlan(chunks, fingerprint.count(), fingerprint.count(), fingerprint.finish());
  }

  /**
   * The column labels the query's rows have (each row's record is keyed by them), read without fetching a row
   * ({@code SELECT * FROM (query) q WHERE 1 = 0}).
   *
   * @throws InputException when the query fails
   */
  public List<String> columns() throws IOException {
    try (Connection c = db.connect();
        PreparedStatement ps = c.prepareStatement("SELECT * FROM (" + config.query() + ") q WHERE 1 = 0");
        ResultSet rs = ps.executeQuery()) {
      java.sql.ResultSetMetaData md = rs.getMetaData();
      List<String> labels = new ArrayList<>(md.getColumnCount());
      for (int i = 1; i <= md.getColumnCount(); i++) labels.add(md.getColumnLabel(i));
      return labels;
    } catch (SQLException e) {
      throw new InputException(db.message("read the columns of the query", e));
    }
  }

  @Override
  public ChunkSource chunks() {
    return chunk -> new SqlChunkCursor(db, config, chunk);
  }

  /**
   * {@inheritDoc}
   *
   * <p>Re-reads the keys up to the last planned one and compares their count and hash with the plan's.
   */
  @Override
  public void checkUnchanged(long plannedSize, String plannedFingerprint) throws IOException {
    KeyFingerprint.Parsed planned = KeyFingerprint.parse(plannedFingerprint);
    if (planned == null) {
      throw new InputException(describe() + ": the job was not planned from a SQL source");
    }
    KeyFingerprint now = new KeyFingerprint(config.query(), config.key());
    if (!planned.queryHash().equals(now.queryHash())) {
      throw new InputException(describe() + ": the query or key column is not the one the job was planned with");
    }
    if (planned.type() == null) {
      return; // nothing was planned: rows added since are not part of the job
    }
    try (Connection c = db.connect()) {
      c.setAutoCommit(false);
      try (PreparedStatement ps = keysQuery(c, " WHERE q." + config.key() + " <= ?")) {
        planned.type().bind(ps, 1, planned.lastKey());
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            Object key = planned.type().read(rs, 1);
            if (key != null) now.add(planned.type(), key);
          }
        }
      } finally {
        c.rollback();
      }
    } catch (SQLException e) {
      throw new InputException(db.message("re-read the keys of the query", e));
    }
    String nowText = now.finish();
    if (now.count() != plannedSize) {
      throw new InputException(describe() + ": the rows changed since the job was planned: " + now.count()
          + " rows have a key up to " + planned.lastKey() + ", " + plannedSize + " were planned (rows deleted, or"
          + " inserted inside the planned range)");
    }
    if (!nowText.startsWith(KeyFingerprint.PREFIX + planned.keysHash() + ":")) {
      throw new InputException(describe() + ": the rows changed since the job was planned: " + plannedSize
          + " rows have a key up to " + planned.lastKey() + " as planned, but not the same keys");
    }
  }

  /**
   * Whether a job's stored input fingerprint is a SQL source's: its input size is then the number of planned rows,
   * not bytes.
   */
  public static boolean plannedFromSql(String fingerprint) {
    return fingerprint != null && fingerprint.startsWith(KeyFingerprint.PREFIX);
  }

  /**
   * The database (without credentials), key column and query, e.g. {@code postgresql://db/app (key id): SELECT …}; a
   * schema the URL names shares the parentheses: {@code postgresql://db/app (schema docs, key id): SELECT …}.
   */
  @Override
  public String describe() {
    String where = db.location(); // "postgresql://db/app" or "postgresql://db/app (schema docs)"
    String key = "key " + config.key();
    return (where.endsWith(")") ? where.substring(0, where.length() - 1) + ", " + key + ")" : where + " (" + key + ")")
        + ": " + config.query().replaceAll("\\s+", " ");
  }

  @Override
  public String toString() {
    return "SqlSource[" + describe() + "]";
  }

  private PreparedStatement keysQuery(Connection c, String where) throws SQLException {
    String k = "q." + config.key();
    PreparedStatement ps = c.prepareStatement("SELECT " + k + " FROM (" + config.query() + ") q" + where
        + " ORDER BY " + k, ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY);
    ps.setFetchSize(FETCH_SIZE);
    return ps;
  }

  private KeyType keyType(ResultSet rs) throws SQLException {
    KeyType type = KeyType.of(rs, 1);
    if (type == null) {
      throw new InputException(describe() + ": the key column '" + config.key() + "' is of type "
          + rs.getMetaData().getColumnTypeName(1) + "; ferry pages on an integer or text key (cast it in the query,"
          + " e.g. SELECT CAST(" + config.key() + " AS VARCHAR(64)) AS " + config.key() + ", …)");
    }
    return type;
  }

  /** A key column whose values are not all of one type (SQLite keeps each value's own type). */
  private InputException mixedKeys(KeyType first, long row) {
    return new InputException(describe() + ": the key column '" + config.key() + "' holds "
        + (first == KeyType.INTEGER ? "integers" : "text") + " and, in key order row " + row + ", a value of another "
        + "type (SQLite keeps each value's own type); give every key one type in the query, e.g. SELECT CAST("
        + config.key() + " AS TEXT) AS " + config.key() + ", …");
  }

  private void requireUsableKey(Object key, Object previous) {
    if (key == null) {
      throw new InputException(describe() + ": the key column '" + config.key() + "' is NULL in a row of the query;"
          + " the key must identify every row");
    }
    if (key.equals(previous)) {
      throw new InputException(describe() + ": the key column '" + config.key() + "' is not unique: " + key
          + " appears more than once");
    }
  }

  private static ChunkSpec chunk(int index, long firstRow, KeyType type, List<Object> keys) {
    return new ChunkSpec(index, 0, firstRow, firstRow, keys.size(), type.encode(keys));
  }
}

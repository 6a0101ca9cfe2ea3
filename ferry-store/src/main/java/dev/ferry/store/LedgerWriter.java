package dev.ferry.store;

import dev.ferry.core.spi.Outcome;
import dev.ferry.core.spi.RowOutcome;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes one {@code recordOutcomes} batch into the ledger and works out how the job's counters change.
 *
 * <p>The ledger invariant is enforced by the upsert itself ({@code ON CONFLICT (job_id, row) DO UPDATE ...
 * WHERE outcomes.outcome = 'FAILED' AND outcomes.retryable = 1}): a stored final outcome is never touched, a
 * stored retryable FAILED is replaced by whatever comes. The rest of this class is about speed and counting:
 * <ol>
 *   <li>The batch is first reduced to one outcome per row with the same rule (the first final outcome of a
 *       row in the batch, else its last retryable one). Applying that one outcome has exactly the effect of
 *       applying the row's outcomes in order, and it leaves no row twice in a statement.
 *   <li>Rows are grouped by kind (DONE, INVALID, final FAILED, retryable FAILED) and written with multi-row
 *       upserts of {@value #LARGE} / {@value #SMALL} / 1 rows; each statement's update count is the number of
 *       rows of that kind that were inserted or replaced. The JDBC driver's per-statement and per-bind costs
 *       dominate, so multi-row statements, outcome and retryable as literals, job_id bound once, and a "lean"
 *       shape for rows whose step, code, message and request id are empty (most DONE rows) together more
 *       than double the throughput of one single-row statement per outcome. (PostgreSQL has no numbered
 *       parameters: there job_id is bound in every row.)
 *   <li>A replaced row was a retryable FAILED before, so it is taken off those counters. Which rows those are
 *       is read (from the tiny {@code outcomes_retryable} index) before writing, and only when the job has any.
 * </ol>
 *
 * <p>Threadsafe (the statement texts are built once per dialect and never change); each {@link #write} runs
 * inside the caller's write transaction, with the caller's statements.
 */
final class LedgerWriter {
  /** Rows in the large and small multi-row statements. */
  static final int LARGE = 100;
  static final int SMALL = 10;
  /** Placeholders in the retryable-row probe; shorter groups are padded with row 0, which never exists. */
  static final int PROBE_WIDTH = 200;

  static final String PROBE_RETRYABLE = "SELECT row FROM outcomes INDEXED BY outcomes_retryable"
      + " WHERE job_id = ? AND outcome = 'FAILED' AND retryable = 1 AND row IN ("
      + String.join(", ", Collections.nCopies(PROBE_WIDTH, "?")) + ")";

  private static final String COLUMNS = "job_id, outcome, retryable, row, chunk, line, key, note, step,"
      + " http_status, code, message, request_id";
  private static final String ON_CONFLICT = " ON CONFLICT (job_id, row) DO UPDATE SET chunk = excluded.chunk,"
      + " line = excluded.line, outcome = excluded.outcome, retryable = excluded.retryable, key = excluded.key,"
      + " note = excluded.note, step = excluded.step, http_status = excluded.http_status, code = excluded.code,"
      + " message = excluded.message, request_id = excluded.request_id"
      + " WHERE outcomes.outcome = 'FAILED' AND outcomes.retryable = 1";

  /** Kinds of outcome, counted separately; each is written by its own statements with literal values. */
  private enum Kind {
    DONE("'DONE', 0"),
    INVALID("'INVALID', 0"),
    FAILED("'FAILED', 0"),
    RETRYABLE("'FAILED', 1");

    /** The outcome and retryable columns. ({@code retryable} is kept for FAILED rows only.) */
    final String literals;

    Kind(String literals) {
      this.literals = literals;
    }
  }

  /** Which columns are bound per row; job_id is {@code ?1}, bound once per statement. */
  private enum Shape {
    /** Step, code, message and request id empty and no HTTP status (most DONE rows): written as literals. */
    LEAN(5, "'', 0, '', '', ''"),
    /** Every column bound. */
    FULL(10, "");

    final int params;
    final String literals;

    Shape(int params, String literals) {
      this.params = params;
      this.literals = literals;
    }
  }

  private static final int[] SIZES = {LARGE, SMALL, 1};
  /** The writers of the two dialects; their upsert texts are built once. */
  static final LedgerWriter SQLITE = new LedgerWriter(Dialect.SQLITE);
  static final LedgerWriter POSTGRES = new LedgerWriter(Dialect.POSTGRES);

  /** Supplies prepared statements of the caller's transaction. */
  @FunctionalInterface
  interface Statements {
    PreparedStatement get(String sql) throws SQLException;
  }

  /** Counter changes of one batch. */
  record Deltas(long done, long failed, long invalid, long retryable) {
    boolean isZero() {
      return done == 0 && failed == 0 && invalid == 0 && retryable == 0;
    }
  }

  private final boolean numbered;
  /** Upsert text by kind, shape and size index. */
  private final String[][][] upserts = new String[Kind.values().length][Shape.values().length][];

  private LedgerWriter(Dialect dialect) {
    this.numbered = dialect.numberedParameters;
    for (Kind kind : Kind.values()) {
      for (Shape shape : Shape.values()) {
        String[] bySize = new String[SIZES.length];
        for (int i = 0; i < SIZES.length; i++) {
          bySize[i] = buildSql(kind, shape, SIZES[i], numbered);
        }
        upserts[kind.ordinal()][shape.ordinal()] = bySize;
      }
    }
  }

  static LedgerWriter of(Dialect dialect) {
    return dialect == Dialect.SQLITE ? SQLITE : POSTGRES;
  }

  /**
   * Writes {@code batch} for job {@code jobId} and returns the counter changes.
   *
   * @param mayHaveRetryable false when the job has no retryable FAILED row stored (skips the probe)
   */
  Deltas write(Statements statements, String jobId, Collection<RowOutcome> batch, boolean mayHaveRetryable)
      throws SQLException {
    Map<Long, RowOutcome> effective = reduce(batch);
    long replaced = mayHaveRetryable ? countRetryable(statements, jobId, effective.keySet()) : 0;

    long[] changed = new long[Kind.values().length];
    Map<Kind, Map<Shape, List<RowOutcome>>> groups = new LinkedHashMap<>();
    for (RowOutcome o : effective.values()) {
      groups.computeIfAbsent(kind(o), k -> new LinkedHashMap<>())
          .computeIfAbsent(shape(o), s -> new ArrayList<>()).add(o);
    }
    for (var byKind : groups.entrySet()) {
      for (var byShape : byKind.getValue().entrySet()) {
        Kind kind = byKind.getKey();
        changed[kind.ordinal()] += upsert(statements, jobId, kind, byShape.getKey(), byShape.getValue());
      }
    }
    long retryable = changed[Kind.RETRYABLE.ordinal()];
    long failed = changed[Kind.FAILED.ordinal()] + retryable;
    return new Deltas(changed[Kind.DONE.ordinal()], failed - replaced, changed[Kind.INVALID.ordinal()],
        retryable - replaced);
  }

  /** One outcome per row, in first-seen order: the first final outcome, else the last retryable one. */
  static Map<Long, RowOutcome> reduce(Collection<RowOutcome> batch) {
    Map<Long, RowOutcome> effective = new LinkedHashMap<>(batch.size() * 2);
    for (RowOutcome o : batch) {
      effective.merge(o.row(), o, (first, later) -> isRetryable(first) ? later : first);
    }
    return effective;
  }

  /** How many of {@code rows} are stored as retryable FAILED. */
  private static long countRetryable(Statements statements, String jobId, Set<Long> rows) throws SQLException {
    PreparedStatement ps = statements.get(PROBE_RETRYABLE);
    ps.setString(1, jobId);
    Set<Long> found = new HashSet<>();
    List<Long> all = new ArrayList<>(rows);
    for (int from = 0; from < all.size(); from += PROBE_WIDTH) {
      for (int k = 0; k < PROBE_WIDTH; k++) {
        int i = from + k;
        ps.setLong(2 + k, i < all.size() ? all.get(i) : 0L);
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          found.add(rs.getLong(1));
        }
      }
    }
    return found.size();
  }

  /** Upserts rows of one kind and shape; returns how many were inserted or replaced. */
  private long upsert(Statements statements, String jobId, Kind kind, Shape shape, List<RowOutcome> rows)
      throws SQLException {
    String[] bySize = upserts[kind.ordinal()][shape.ordinal()];
    int perRow = numbered ? shape.params : shape.params + 1;
    long changed = 0;
    int i = 0;
    for (int s = 0; s < SIZES.length; s++) {
      while (rows.size() - i >= SIZES[s]) {
        PreparedStatement ps = statements.get(bySize[s]);
        if (numbered) {
          ps.setString(1, jobId);
        }
        for (int k = 0; k < SIZES[s]; k++) {
          int at = numbered ? 2 + k * perRow : 1 + k * perRow;
          if (!numbered) {
            ps.setString(at++, jobId);
          }
          bind(ps, at, shape, rows.get(i + k));
        }
        changed += ps.executeUpdate();
        i += SIZES[s];
      }
    }
    return changed;
  }

  private static void bind(PreparedStatement ps, int at, Shape shape, RowOutcome o) throws SQLException {
    ps.setLong(at, o.row());
    ps.setInt(at + 1, o.chunk());
    ps.setLong(at + 2, o.line());
    ps.setString(at + 3, o.key());
    ps.setString(at + 4, o.note());
    if (shape == Shape.FULL) {
      ps.setString(at + 5, o.step());
      ps.setInt(at + 6, o.httpStatus());
      ps.setString(at + 7, o.code());
      ps.setString(at + 8, o.message());
      ps.setString(at + 9, o.requestId());
    }
  }

  /**
   * {@code INSERT ... VALUES (?1, 'DONE', 0, ?2, ...), (?1, 'DONE', 0, ?n, ...) ON CONFLICT ...}, or with
   * {@code numbered} false {@code (?, 'DONE', 0, ?, ...), (?, 'DONE', 0, ?, ...)}.
   */
  private static String buildSql(Kind kind, Shape shape, int rows, boolean numbered) {
    StringBuilder sql = new StringBuilder(64 + rows * 80).append("INSERT INTO outcomes (").append(COLUMNS)
        .append(") VALUES ");
    int p = 2;
    for (int r = 0; r < rows; r++) {
      sql.append(r == 0 ? "(" : ", (").append(numbered ? "?1, " : "?, ").append(kind.literals);
      for (int k = 0; k < shape.params; k++) {
        sql.append(", ?");
        if (numbered) {
          sql.append(p++);
        }
      }
      if (!shape.literals.isEmpty()) {
        sql.append(", ").append(shape.literals);
      }
      sql.append(')');
    }
    return sql.append(ON_CONFLICT).toString();
  }

  private static Kind kind(RowOutcome o) {
    return switch (o.outcome()) {
      case DONE -> Kind.DONE;
      case INVALID -> Kind.INVALID;
      case FAILED -> o.retryable() ? Kind.RETRYABLE : Kind.FAILED;
    };
  }

  private static Shape shape(RowOutcome o) {
    boolean lean = o.step().isEmpty() && o.httpStatus() == 0 && o.code().isEmpty() && o.message().isEmpty()
        && o.requestId().isEmpty();
    return lean ? Shape.LEAN : Shape.FULL;
  }

  private static boolean isRetryable(RowOutcome o) {
    return o.outcome() == Outcome.FAILED && o.retryable();
  }
}

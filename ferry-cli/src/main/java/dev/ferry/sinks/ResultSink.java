package dev.ferry.sinks;

import dev.ferry.core.engine.RowInput;
import java.io.IOException;
import java.util.Map;

/**
 * Where a job spec writes each settled row's results (a SQL update of the source row, a JSONL results file).
 * Implementations are threadsafe: rows settle on many threads at once.
 *
 * <p>Exactly once per settled row: the runner calls {@link #write} for a row that ended {@code done}, before its
 * outcome is recorded in the ledger. A crash between the two repeats the call for that row on resume, so a sink
 * either writes idempotently (an UPDATE keyed by the row) or says in its documentation how it removes repeats.
 */
public interface ResultSink extends AutoCloseable {

  /**
   * Writes one row's results.
   *
   * @param row     the input row (its record holds the source's fields)
   * @param results the results of the row's steps, by step name (JSON-like values: String, Number, Boolean, null,
   *                List, Map)
   * @throws IOException when the write fails; the row then stays unsettled and is retried on resume
   */
  void write(RowInput row, Map<String, Object> results) throws IOException;

  /** Flushes and releases what the sink holds. */
  @Override
  void close() throws IOException;
}

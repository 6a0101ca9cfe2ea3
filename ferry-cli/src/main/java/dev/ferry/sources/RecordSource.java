package dev.ferry.sources;

import dev.ferry.core.engine.ChunkSource;
import dev.ferry.core.engine.RowInput;
import dev.ferry.core.source.ChunkPlan;
import java.io.IOException;
import java.util.function.Consumer;

/**
 * A job's input, whatever it is (a CSV or JSONL file, a SQL query): planned once into chunks, then read chunk by
 * chunk by any process of the job. Every row it reads carries a {@linkplain RowInput#record() record} of named
 * fields. Implementations are threadsafe.
 */
public interface RecordSource {

  /**
   * Reads the whole input once, in order: every {@code chunkSize} rows make a chunk whose
   * {@linkplain dev.ferry.core.spi.ChunkSpec#position() position} (or byte offset) lets {@link #chunks()} read
   * exactly those rows again; every row is shown to {@code visitor}. The plan's size and fingerprint are what
   * {@link #checkUnchanged} compares on resume (bytes and SHA-256 for files; the source documents its own). A row
   * may be readable during the visitor's call only (a CSV row's record reads the file's reader): a visitor keeping
   * one keeps a copy.
   *
   * @throws IllegalArgumentException if {@code chunkSize} is below 1
   * @throws IOException if the input cannot be read
   */
  ChunkPlan plan(int chunkSize, Consumer<RowInput> visitor) throws IOException;

  /** Reads planned chunks (seeking straight to them). */
  ChunkSource chunks();

  /**
   * Before a resume sends anything: fails with an {@link dev.ferry.core.source.InputException} naming what changed
   * when the input is no longer the one that was planned.
   */
  void checkUnchanged(long plannedSize, String plannedFingerprint) throws IOException;

  /** What the input is, for reports and status (a path, or a table and database without credentials). */
  String describe();
}

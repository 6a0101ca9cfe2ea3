package dev.ferry.core.spi;

/**
 * A job's identity and plan. Immutable snapshot. {@code config} is an opaque JSON document owned by the
 * recipe (flags needed to resume); it must never contain a secret.
 *
 * @param id          job id chosen by the user
 * @param kind        recipe name, e.g. "workos-import"
 * @param inputPath   absolute path of the input file, or what a source that is not a file reads (its
 *                    {@code describe()}: a database and query, never credentials)
 * @param inputSize   input size in bytes at planning time (a SQL source: its planned rows)
 * @param inputSha256 hex SHA-256 of the input at planning time (a SQL source: its own fingerprint)
 * @param totalRows   data rows in the input (header excluded)
 * @param chunkSize   rows per chunk
 * @param config      recipe configuration (JSON, no secrets)
 * @param status      current status
 * @param message     last status message (why it stopped), may be empty
 * @param createdAtMillis  creation time, epoch millis
 * @param updatedAtMillis  last status change, epoch millis
 */
public record JobRecord(
    String id,
    String kind,
    String inputPath,
    long inputSize,
    String inputSha256,
    long totalRows,
    int chunkSize,
    String config,
    JobStatus status,
    String message,
    long createdAtMillis,
    long updatedAtMillis) {

  /** The same job read from another path (its input copied to another machine). */
  public JobRecord withInputPath(String path) {
    return new JobRecord(id, kind, path, inputSize, inputSha256, totalRows, chunkSize, config, status, message,
        createdAtMillis, updatedAtMillis);
  }

  public JobRecord withStatus(JobStatus newStatus, String newMessage, long nowMillis) {
    return new JobRecord(id, kind, inputPath, inputSize, inputSha256, totalRows, chunkSize, config,
        newStatus, newMessage == null ? "" : newMessage, createdAtMillis, nowMillis);
  }
}

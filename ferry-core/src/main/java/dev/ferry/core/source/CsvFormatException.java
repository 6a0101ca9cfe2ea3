package dev.ferry.core.source;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A fatal problem with an input file as a whole (empty file, missing or broken header): the job cannot
 * start. The message names the file and the line, as in {@code users.csv:1: no header row (the file is
 * empty)}. Problems with single data rows are not thrown; see {@link CsvReader#error()}. Unchecked.
 */
public final class CsvFormatException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient Path file;
  private final long line;
  private final String problem;

  /**
   * @param file    the input file, as the user named it
   * @param line    1-based physical line the problem is on
   * @param problem what is wrong, without file and line
   */
  public CsvFormatException(Path file, long line, String problem) {
    super(Objects.requireNonNull(file, "file cannot be null") + ":" + line + ": "
        + Objects.requireNonNull(problem, "problem cannot be null"));
    this.file = file;
    this.line = line;
    this.problem = problem;
  }

  /** The input file. */
  public Path file() {
    return file;
  }

  /** The 1-based line the problem is on. */
  public long line() {
    return line;
  }

  /** What is wrong, without file and line (the message is {@code file:line: problem}). */
  public String problem() {
    return problem;
  }
}

package dev.ferry.core.source;

/**
 * Bounds that keep a reader's memory independent of the input: no field keeps more than
 * {@code maxFieldBytes} bytes and no record more than {@code maxFieldsPerRecord} fields. A record also
 * keeps at most {@link #maxRecordBytes()} bytes in all. Input beyond a bound is scanned, not kept, and the
 * record is reported as invalid. Immutable.
 *
 * @param maxFieldBytes      most bytes of one field (default 1 MiB)
 * @param maxFieldsPerRecord most fields in one record, header included (default 1024)
 */
public record CsvLimits(int maxFieldBytes, int maxFieldsPerRecord) {
  private static final CsvLimits DEFAULTS = new CsvLimits(1 << 20, 1024);

  /** @throws IllegalArgumentException if a bound is below 1 */
  public CsvLimits {
    if (maxFieldBytes < 1) {
      throw new IllegalArgumentException("maxFieldBytes must be at least 1, was " + maxFieldBytes);
    }
    if (maxFieldsPerRecord < 1) {
      throw new IllegalArgumentException("maxFieldsPerRecord must be at least 1, was " + maxFieldsPerRecord);
    }
  }

  /** 1 MiB per field, 1024 fields per record. */
  public static CsvLimits defaults() {
    return DEFAULTS;
  }

  /** Most bytes one record keeps in all: four times {@link #maxFieldBytes()} (4 MiB by default). */
  public int maxRecordBytes() {
    return (int) Math.min(4L * maxFieldBytes, Integer.MAX_VALUE - 64);
  }
}

package dev.ferry.sources;

import dev.ferry.core.source.CsvHeader;

/**
 * Recognises a CSV file delimited by something else than a comma from its header: read as RFC 4180, such a header is
 * one column holding the other delimiter ({@code email;name}). Stateless, threadsafe.
 */
public final class CsvDelimiters {
  private CsvDelimiters() {}

  /** {@code ;}, a tab or {@code |} when the header is one column holding it (the file's delimiter, then); else 0. */
  public static char guess(CsvHeader header) {
    if (header.size() != 1) return 0;
    String only = header.columns().get(0);
    for (char c : new char[] {';', '\t', '|'}) if (only.indexOf(c) >= 0) return c;
    return 0;
  }

  /** "; the file looks delimited by ';': ..." to end a message about the header with, or "" when it looks right. */
  public static String hint(CsvHeader header) {
    char d = guess(header);
    if (d == 0) return "";
    return "; the file looks delimited by " + (d == '\t' ? "tabs" : "'" + d + "'")
        + ": CSV input is comma-separated (docs/csv-input.md)";
  }
}

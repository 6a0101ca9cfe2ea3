/**
 * Streaming CSV source: an RFC 4180 byte-level reader that knows each record's byte offset and line, and
 * the chunk planner that cuts an input file into resumable chunks in one pass.
 *
 * <p>Only the JDK is used here. Format rules, in short:
 * <ul>
 *   <li>Delimiter {@code ,}, quote {@code "}, escaped quote {@code ""}. LF, CRLF and a lone CR each end a
 *       record (and a physical line); inside quotes they are field content, kept as-is, but still count
 *       as lines, so {@link dev.ferry.core.source.CsvReader#line()} stays right after multi-line fields.
 *   <li>A UTF-8 byte order mark at the start of the file is skipped. Header names are trimmed; data fields
 *       are returned exactly as written.
 *   <li>Empty lines are not rows; a newline at the end of the file does not start a row.
 *   <li>A quote inside an unquoted field ({@code 5'10"}) is kept as a literal character.
 *   <li>Problems in a data row never throw: the record carries an {@code error()} and reading goes on with
 *       the next record. Problems in the header throw {@link dev.ferry.core.source.CsvFormatException}.
 *   <li>A quoted field runs to its closing quote however far away (RFC 4180), so a legitimately long
 *       quoted field never desynchronises the parser; without a closing quote it runs to the end of the
 *       file and that last record is reported as unterminated. Memory stays bounded either way: bytes
 *       beyond {@link dev.ferry.core.source.CsvLimits#maxFieldBytes()} are scanned, not kept.
 * </ul>
 */
package dev.ferry.core.source;

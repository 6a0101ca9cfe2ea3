package dev.ferry.sources;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;

/**
 * What is wrong with a JSON Lines line that does not parse, in words of our own: the column and a reason, never the
 * parser's text. The parser's messages quote the line (a bare word, the character it stopped at), and the line may
 * hold a secret column's value, so nothing of the line is repeated here. Stateless.
 */
final class JsonLineError {
  /** Jackson's duplicate-field message; a field's name is no value, so it may be said. */
  private static final java.util.regex.Pattern DUPLICATE = java.util.regex.Pattern.compile("Duplicate field '(.{1,80})'");

  private JsonLineError() {}

  /** {@code not valid JSON at column 12: <reason>} ({@code ambiguous JSON} for a field written twice). */
  static String describe(JsonProcessingException e) {
    JsonLocation at = e.getLocation();
    long column = at == null ? -1 : at.getColumnNr();
    String m = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
    return (DUPLICATE.matcher(m).lookingAt() ? "ambiguous JSON" : "not valid JSON")
        + (column > 0 ? " at column " + column : "") + ": " + reason(m);
  }

  private static String reason(String parser) {
    String m = parser == null ? "" : parser;
    if (m.startsWith("Unexpected end-of-input")) return "the line ends before the JSON value does (a missing } ] or \")";
    if (m.startsWith("Trailing token")) return "more text after the JSON object (one object a line)";
    if (m.startsWith("Unrecognized token")) return "a word that is not a JSON value (text needs double quotes)";
    if (m.startsWith("Illegal unquoted character")) return "a control character inside a string (write it as \\t, \\n, ...)";
    if (m.startsWith("Unrecognized character escape")) return "an unknown backslash escape inside a string";
    if (m.startsWith("Invalid UTF-8")) return "bytes that are not UTF-8";
    if (m.startsWith("Document nesting depth")) return "nested deeper than the limit of 1000 levels";
    if (m.startsWith("Number value length")) return "a number longer than the limit of 1000 digits";
    if (m.startsWith("String value length")) return "a string longer than the limit";
    java.util.regex.Matcher twice = DUPLICATE.matcher(m);
    if (twice.lookingAt()) return "the field '" + twice.group(1) + "' is written twice in one object";
    if (m.startsWith("Unexpected character")) return "an unexpected character";
    if (m.startsWith("Illegal character")) return "an illegal character";
    return "the parser stopped here";
  }
}

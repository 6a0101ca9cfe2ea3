package dev.ferry.spec;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Resolves {@code ${NAME}} and {@code ${NAME:-default}} in a spec's strings from the environment; {@code $${}
 * writes a literal {@code ${}. Remembers each parameter used and its value, so a job can store the values that
 * are not secret (a resume then reads the same input) and re-read the secret ones from the environment. Not
 * threadsafe: one per load.
 */
final class Parameters {
  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  /** Parameter names that hold a secret whatever field uses them. */
  private static final Pattern SECRET_NAME = Pattern.compile("(?i).*(KEY|SECRET|TOKEN|PASSWORD|PASSWD|CREDENTIAL).*");

  /** Why a reference could not be resolved, and where in the text. */
  record Problem(int offset, String message) {}

  private final Map<String, String> env;
  private final Map<String, String> used = new LinkedHashMap<>();
  /** Each reference read: its name, default (or null) and value (or null when undefined), in order. */
  private final java.util.List<String[]> reads = new java.util.ArrayList<>();

  Parameters(Map<String, String> env) {
    this.env = env;
  }

  static boolean secretName(String name) {
    return SECRET_NAME.matcher(name).matches();
  }

  /**
   * @param problems gets each reference that cannot be resolved
   * @return the text with every reference replaced (an unresolved one by "")
   */
  String resolve(String text, java.util.function.Consumer<Problem> problems) {
    return resolve(text, problems, java.util.function.UnaryOperator.identity());
  }

  /**
   * As {@link #resolve(String, java.util.function.Consumer)}, each parameter's value passed through {@code encode}
   * (a request path's: percent-encoded as one segment, as a {@code {{ }}} value there is) and the text around it kept.
   */
  String resolve(String text, java.util.function.Consumer<Problem> problems,
      java.util.function.UnaryOperator<String> encode) {
    if (text.indexOf('$') < 0) return text;
    StringBuilder out = new StringBuilder(text.length());
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c == '$' && text.startsWith("$${", i)) {
        out.append("${");
        i += 3;
        continue;
      }
      if (c != '$' || !text.startsWith("${", i)) {
        out.append(c);
        i++;
        continue;
      }
      int end = text.indexOf('}', i + 2);
      if (end < 0) {
        problems.accept(new Problem(i, "'${' is not closed: write ${NAME} or ${NAME:-default} ($${ for a literal ${)"));
        return out.toString();
      }
      String ref = text.substring(i + 2, end);
      int dash = ref.indexOf(":-");
      String name = dash < 0 ? ref : ref.substring(0, dash);
      String fallback = dash < 0 ? null : ref.substring(dash + 2);
      if (fallback != null && fallback.contains("${")) { // the first '}' closed the inner one: the rest would be text
        problems.accept(new Problem(i, "the default of ${" + name + "} holds another parameter: a default is plain"
            + " text (write ${" + name + ":-value}, or set " + name + " from the other one in the shell)"));
        int close = text.indexOf('}', end + 1);
        i = close < 0 ? text.length() : close + 1;
        continue;
      }
      if (!NAME.matcher(name).matches()) {
        problems.accept(new Problem(i, "'${" + (secretName(name) ? "…" : ref) + "}' is not a parameter: write ${NAME}"
            + " or ${NAME:-default}, NAME made of letters, digits and _"
            + (name.indexOf(':') >= 0 ? " (a default is written with ':-')" : "")));
      } else {
        String value = env.get(name);
        if (value == null) value = fallback;
        reads.add(new String[] {name, fallback, value});
        if (value == null) {
          problems.accept(new Problem(i, "parameter ${" + name + "} is not defined: set " + name
              + " in the environment, or give a default: ${" + name + ":-value}"));
        } else {
          used.put(name, value);
          // inside a {{ }} expression the value is the expression's text; its rendered value is encoded then
          boolean inExpression = text.lastIndexOf("{{", i) > text.lastIndexOf("}}", i);
          out.append(inExpression ? value : encode.apply(value));
        }
      }
      i = end + 1;
    }
    return out.toString();
  }

  /**
   * What the references read resolve to: each name, default and value, so a later load can tell whether another
   * environment resolves every one of them the same ({@link #sameValues}). A copy; holds no other variable.
   */
  java.util.List<String[]> reads() {
    return java.util.List.copyOf(reads);
  }

  /** Whether {@code env} resolves each of {@code reads} to the same value (or leaves it undefined as it was). */
  static boolean sameValues(java.util.List<String[]> reads, Map<String, String> env) {
    for (String[] r : reads) {
      String value = env.get(r[0]);
      if (value == null) value = r[1];
      if (!java.util.Objects.equals(value, r[2])) return false;
    }
    return true;
  }

  /** The parameters resolved so far, with their values (secret ones included: never store this map whole). */
  Map<String, String> used() {
    return used;
  }

  /** The names among {@code names} that the text references. */
  static Set<String> referenced(String text) {
    Set<String> names = new java.util.LinkedHashSet<>();
    int i = 0;
    while ((i = text.indexOf("${", i)) >= 0) {
      if (i > 0 && text.charAt(i - 1) == '$') {
        i += 2;
        continue;
      }
      int end = text.indexOf('}', i + 2);
      if (end < 0) break;
      String ref = text.substring(i + 2, end);
      int dash = ref.indexOf(":-");
      names.add(dash < 0 ? ref : ref.substring(0, dash));
      i = end + 1;
    }
    return names;
  }
}

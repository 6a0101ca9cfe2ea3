package dev.ferry.spec;

import dev.ferry.spec.Shape.AnyOf;
import dev.ferry.spec.Shape.Field;
import dev.ferry.spec.Shape.ListOf;
import dev.ferry.spec.Shape.MapOf;
import dev.ferry.spec.Shape.Obj;
import dev.ferry.spec.Shape.OneOfWords;
import dev.ferry.spec.Shape.Scalar;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Checks a loaded spec against its {@link Shape}: unknown keys (with a "did you mean"), missing keys, types, words
 * and patterns. Collects every error. Never echoes a secret-bearing value. Not threadsafe: one per check.
 */
final class SpecChecker {
  static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)");
  private final String file;
  private final List<SpecError> errors = new ArrayList<>();

  SpecChecker(String file) {
    this.file = file;
  }

  List<SpecError> check(Node node, Shape shape) {
    visit(node, shape);
    return errors;
  }

  private void visit(Node node, Shape shape) {
    switch (shape) {
      case Obj obj -> object(node, obj);
      case MapOf map -> mapOf(node, map);
      case ListOf list -> listOf(node, list);
      case Scalar scalar -> scalar(node, scalar);
      case OneOfWords words -> words(node, words);
      case AnyOf any -> anyOf(node, any);
    }
  }

  private void object(Node node, Obj obj) {
    if (!node.isMap()) {
      error(node, "expected a mapping (" + obj.title() + ": " + String.join(", ", obj.names()) + "), found "
          + node.describeKind());
      return;
    }
    int given = 0;
    java.util.Set<String> suggested = new java.util.HashSet<>();
    for (Map.Entry<String, Node> e : node.fields().entrySet()) {
      Field f = obj.field(e.getKey());
      if (f == null) {
        Node v = e.getValue();
        String near = Suggest.closest(e.getKey(), obj.names());
        if (near != null) suggested.add(near);
        errors.add(new SpecError(file, v.keyLine(), v.keyColumn(), v.path(), "unknown key"
            + (near != null ? " (did you mean '" + near + "'?)" : "") + "; " + obj.title() + " takes "
            + String.join(", ", obj.names())));
        continue;
      }
      given++;
      visit(e.getValue(), f.shape());
    }
    if (obj.exactlyOne()) {
      if (given == 0 && node.fields().isEmpty()) {
        error(node, obj.title() + " needs one of: " + String.join(", ", obj.names()));
      } else if (given > 1) {
        error(node, "give only one of " + String.join(", ", obj.names()) + " (found "
            + String.join(", ", node.fields().keySet().stream().filter(k -> obj.field(k) != null).toList()) + ")");
      }
      return;
    }
    for (Field f : obj.fields()) {
      if (f.required() && !node.fields().containsKey(f.name()) && !suggested.contains(f.name())) {
        error(node, "missing '" + f.name() + "' (" + f.description() + ")");
      }
    }
  }

  private void mapOf(Node node, MapOf map) {
    if (!node.isMap()) {
      error(node, "expected a mapping of " + map.keysDescription() + " to values, found " + node.describeKind());
      return;
    }
    Pattern keys = map.keys() == null ? null : Pattern.compile(map.keys());
    for (Map.Entry<String, Node> e : node.fields().entrySet()) {
      Node v = e.getValue();
      if (keys != null && !keys.matcher(e.getKey()).matches()) {
        errors.add(new SpecError(file, v.keyLine(), v.keyColumn(), v.path(), "'" + e.getKey() + "' is not a valid "
            + map.keysDescription() + " (" + keysHint(map.keys()) + ")"));
      }
      visit(v, map.values());
    }
  }

  private static String keysHint(String pattern) {
    if (pattern.equals(Grammar.STATUS_PATTERN)) return "a status such as 409, or a class such as 4xx";
    if (pattern.equals(Grammar.NAME_PATTERN)) return "letters, digits, _ and -, starting with a letter or _";
    return "expected " + pattern.replace("^(", "").replace(")$", "").replace("|", " or ");
  }

  /** What a value of a scalar with {@code pattern} looks like, in words. */
  private static String patternHint(String pattern) {
    return switch (pattern) {
      case Grammar.NAME_PATTERN -> "a name (letters, digits, _ and -, starting with a letter or _)";
      case Grammar.ROUTE_PATH_PATTERN -> "a URL path starting with / (letters, digits, /, _, . and -), e.g."
          + " /webhooks/firecrawl";
      case Grammar.PARAMETER_NAME_PATTERN -> "a parameter name (letters, digits and _, not starting with a digit)";
      case Grammar.COUNTER_PATTERN -> "step.outcome terms added with +, e.g. user.ok + user.existing";
      default -> "text matching " + pattern;
    };
  }

  private void listOf(Node node, ListOf list) {
    if (!node.isList()) {
      error(node, "expected a list, found " + node.describeKind());
      return;
    }
    if (node.items().size() < list.minItems()) error(node, "expected at least " + list.minItems() + " item(s)");
    for (Node item : node.items()) visit(item, list.items());
  }

  private void words(Node node, OneOfWords words) {
    String text = node.isScalar() ? node.text() : null;
    if (text == null || !words.words().contains(text)) {
      error(node, "expected " + (words.words().size() == 1 ? "" : "one of ") + String.join(", ", words.words())
          + ", found " + shown(node));
    }
  }

  private void anyOf(Node node, AnyOf any) {
    for (Shape choice : any.choices()) {
      boolean fits = switch (choice) {
        case ListOf l -> node.isList();
        case Obj o -> node.isMap();
        case MapOf m -> node.isMap();
        default -> node.isScalar();
      };
      if (fits) {
        visit(node, choice);
        return;
      }
    }
    error(node, "expected " + String.join(" or ", any.choices().stream().map(SpecChecker::describe).toList())
        + ", found " + node.describeKind());
  }

  static String describe(Shape shape) {
    return switch (shape) {
      case Obj o -> "a mapping (" + o.title() + ")";
      case MapOf m -> "a mapping";
      case ListOf l -> "a list";
      case OneOfWords w -> String.join(" or ", w.words().stream().map(x -> "'" + x + "'").toList());
      case Scalar s -> s.type().name().toLowerCase(java.util.Locale.ROOT);
      case AnyOf a -> "a value";
    };
  }

  private void scalar(Node node, Scalar scalar) {
    if (scalar.type() == Shape.Type.ANY) return;
    if (!node.isScalar() || node.isNull()) {
      error(node, "expected " + expected(scalar.type()) + ", found " + node.describeKind());
      return;
    }
    String text = node.text();
    boolean ok = switch (scalar.type()) {
      case STRING, TEMPLATE -> scalar.pattern() == null || Pattern.compile(scalar.pattern()).matcher(text).matches();
      case COUNT -> number(text) != null && number(text).signum() > 0 && isWhole(number(text));
      case POSITIVE -> number(text) != null && number(text).signum() > 0;
      case STATUS -> number(text) != null && isWhole(number(text)) && number(text).intValue() >= 100
          && number(text).intValue() <= 599;
      case DURATION -> DURATION.matcher(text).matches();
      case BOOLEAN -> text.equals("true") || text.equals("false");
      case ANY -> true;
    };
    if (!ok) {
      error(node, "expected " + (scalar.pattern() != null ? patternHint(scalar.pattern())
          : expected(scalar.type())) + ", found " + shown(node));
    }
  }

  private static String expected(Shape.Type type) {
    return switch (type) {
      case STRING -> "text";
      case TEMPLATE -> "text (a template)";
      case COUNT -> "a whole number of at least 1";
      case POSITIVE -> "a number greater than 0";
      case STATUS -> "an HTTP status (100-599)";
      case DURATION -> "a duration with a unit (50ms, 1.5s, 1m, 1h)";
      case BOOLEAN -> "true or false";
      case ANY -> "a value";
    };
  }

  static BigDecimal number(String text) {
    try {
      return new BigDecimal(text.strip());
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static boolean isWhole(BigDecimal d) {
    return d.stripTrailingZeros().scale() <= 0;
  }

  /** The value for a message: a secret-bearing one is never shown. */
  private static String shown(Node node) {
    if (SpecYaml.secretField(node.path()) || node.parameterized() && !node.isMap()) {
      return node.describeKind() + (node.parameterized() ? " (from a parameter)" : "");
    }
    String text = node.isScalar() ? node.text() : null;
    if (text == null) return node.describeKind();
    return "'" + (text.length() > 40 ? text.substring(0, 40) + "…" : text) + "'";
  }

  private void error(Node node, String message) {
    errors.add(new SpecError(file, node.line(), node.column(), node.path(), message));
  }
}

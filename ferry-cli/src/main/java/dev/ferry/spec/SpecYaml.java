package dev.ferry.spec;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a YAML document into {@link Node}s that remember their line, column and field path, substituting
 * {@code ${…}} parameters in every string as it goes. Collects every error instead of stopping at the first
 * (except a YAML syntax error, after which nothing more can be read). Not threadsafe: one per load.
 */
final class SpecYaml {
  private static final YAMLFactory YAML = new YAMLFactory();
  /** Header names whose values are credentials: they must come from a parameter, never be written inline. */
  private static final Pattern CREDENTIAL_HEADER =
      Pattern.compile("(?i)authorization|proxy-authorization|cookie|.*(api[-_]?key|token|secret|password).*");

  private final String file;
  private final String[] lines;
  private final Parameters params;
  private final List<SpecError> errors = new ArrayList<>();
  private final Set<String> secretParams = new LinkedHashSet<>();
  private JsonParser parser;

  SpecYaml(String file, String text, Parameters params) {
    this.file = file;
    this.lines = text.split("\n", -1);
    this.params = params;
    read(text);
  }

  private Node root;

  private void read(String text) {
    try (JsonParser p = YAML.createParser(text)) {
      parser = p;
      JsonToken t = p.nextToken();
      if (t == null) {
        errors.add(new SpecError(file, 1, 1, "", "the spec is empty: expected a mapping with source, targets and steps"));
        return;
      }
      root = value(t, "");
      JsonToken next = p.nextToken();
      if (next == JsonToken.VALUE_NULL && p.nextToken() == null) next = null; // a '---' with nothing after it
      if (next != null) { // a second document ('---') would be dropped unread
        JsonLocation at = p.currentTokenLocation();
        errors.add(new SpecError(file, at.getLineNr(), at.getColumnNr(), "", "a second YAML document (after a '---'"
            + " line) starts here: a spec is one document (remove the '---', or merge what follows it into the spec)"));
      }
    } catch (JsonProcessingException e) {
      if (e.getCause() instanceof org.yaml.snakeyaml.error.MarkedYAMLException m && m.getProblemMark() != null
          && m.getProblem() != null) {
        errors.add(yamlError(m));
      } else {
        JsonLocation at = e.getLocation();
        errors.add(new SpecError(file, at == null ? 0 : at.getLineNr(), at == null ? 0 : at.getColumnNr(), "",
            "not valid YAML: " + firstLine(e.getOriginalMessage())));
      }
      parametersOfUnreadText();
    } catch (IOException e) {
      errors.add(new SpecError(file, 0, 0, "", "cannot read the spec: " + e.getMessage()));
    }
  }

  /**
   * After a YAML syntax error, the parameters of the whole text, line by line, so that one pass reports an undefined
   * {@code ${API_URL}} below the error too (the parse stopped there, and the parameter's error came only once the YAML
   * was fixed). Comments are skipped; an error already given at the same place (a value read before the syntax error)
   * is not given twice. The field is unknown here (no tree): the error names the place only.
   */
  private void parametersOfUnreadText() {
    Set<String> given = new java.util.HashSet<>();
    for (SpecError e : errors) given.add(e.line() + ":" + e.column());
    for (int i = 0; i < lines.length; i++) {
      String code = withoutComment(lines[i]);
      if (!code.contains("${")) continue;
      int line = i + 1;
      params.resolve(code, problem -> {
        if (given.add(line + ":" + (problem.offset() + 1))) {
          errors.add(new SpecError(file, line, problem.offset() + 1, "", problem.message()));
        }
      }, java.util.function.UnaryOperator.identity());
    }
  }

  /** A YAML line without its comment: from a {@code #} at its start or after a blank, outside quotes. */
  static String withoutComment(String line) {
    char quote = 0;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quote != 0) {
        if (c == quote) quote = 0;
        else if (c == '\\' && quote == '"') i++;
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == '#' && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))) {
        return line.substring(0, i);
      }
    }
    return line;
  }

  /**
   * A YAML syntax error where the parser found the problem (Jackson's own location is where the enclosing construct
   * was being read, often a line early), with that construct's start when there is one: {@code 7:1: not valid YAML:
   * expected ',' or '}', but got <scalar> (in the flow mapping that starts at line 6, column 9)}.
   */
  private SpecError yamlError(org.yaml.snakeyaml.error.MarkedYAMLException m) {
    String problem = m.getProblem().contains("(TAB)")
        ? "a tab character: YAML indents with spaces, never tabs"
        : firstLine(m.getProblem());
    String context = m.getContext();
    if (context != null && m.getContextMark() != null) {
      problem += " (" + context.replaceFirst("^while (parsing|scanning) ", "in ") + " that starts at line "
          + (m.getContextMark().getLine() + 1) + ", column " + (m.getContextMark().getColumn() + 1) + ")";
    }
    int line = m.getProblemMark().getLine();
    int column = m.getProblemMark().getColumn();
    if (context != null && context.contains("flow") && line < lines.length && column > 0
        && lines[line].startsWith("${", column - 1)) {
      // an unquoted parameter in a flow mapping or sequence: its '{' is YAML's (the example's block style has none)
      problem += "; a ${PARAM} inside { } or [ ] must be quoted: \"${PARAM}\"";
    }
    return new SpecError(file, line + 1, column + 1, "", "not valid YAML: " + problem);
  }

  Node root() {
    return root;
  }

  List<SpecError> errors() {
    return errors;
  }

  /** Parameters that hold secrets: used in a header value, or named like a key or token. */
  Set<String> secretParams() {
    Set<String> all = new LinkedHashSet<>(secretParams);
    for (String name : params.used().keySet()) if (Parameters.secretName(name)) all.add(name);
    return all;
  }

  private Node value(JsonToken t, String path) throws IOException {
    JsonLocation at = parser.currentTokenLocation();
    int line = at.getLineNr();
    int col = at.getColumnNr();
    switch (t) {
      case START_OBJECT -> {
        LinkedHashMap<String, Node> fields = new LinkedHashMap<>();
        JsonToken k;
        while ((k = parser.nextToken()) == JsonToken.FIELD_NAME) {
          String name = parser.currentName();
          JsonLocation kat = parser.currentTokenLocation();
          String child = path.isEmpty() ? name : path + "." + name;
          Node v = value(parser.nextToken(), child).keyedAt(kat.getLineNr(), kat.getColumnNr());
          if (fields.containsKey(name)) {
            errors.add(new SpecError(file, kat.getLineNr(), kat.getColumnNr(), child,
                "written twice (first on line " + fields.get(name).keyLine() + ")"));
          }
          fields.put(name, v);
        }
        return Node.map(path, line, col, fields);
      }
      case START_ARRAY -> {
        List<Node> items = new ArrayList<>();
        JsonToken i;
        while ((i = parser.nextToken()) != JsonToken.END_ARRAY && i != null) {
          items.add(value(i, path + "[" + items.size() + "]"));
        }
        return Node.list(path, line, col, items);
      }
      case VALUE_STRING -> {
        String raw = parser.getText();
        boolean quoted = quotedAt(line, col);
        boolean secret = secretField(path);
        if (secret) {
          Set<String> refs = Parameters.referenced(raw);
          secretParams.addAll(refs);
          // (a service's secrets have their own message, from the serve section's checks)
          if (refs.isEmpty() && CREDENTIAL_HEADER.matcher(lastName(path)).matches() && !raw.isBlank()
              && !path.startsWith("serve.")) {
            errors.add(new SpecError(file, line, col, path, "a credential must not be written in the spec: take it"
                + " from the environment, e.g. \"Bearer ${API_KEY}\""));
          }
        }
        int textCol = quoted ? col + 1 : col;
        String resolved = params.resolve(raw, problem -> errors.add(new SpecError(file, line,
            textCol + (raw.indexOf('\n') < 0 ? problem.offset() : 0), path, problem.message())),
            requestPath(path) ? dev.ferry.steps.RequestTemplate::encodeValue : java.util.function.UnaryOperator.identity());
        return Node.scalar(path, line, col, resolved, quoted, !resolved.equals(raw) || raw.contains("${"));
      }
      case VALUE_NUMBER_INT -> {
        return Node.scalar(path, line, col, parser.getLongValue(), false, false);
      }
      case VALUE_NUMBER_FLOAT -> {
        return Node.scalar(path, line, col, new BigDecimal(parser.getText()), false, false);
      }
      case VALUE_TRUE, VALUE_FALSE -> {
        return Node.scalar(path, line, col, t == JsonToken.VALUE_TRUE, false, false);
      }
      case VALUE_NULL -> {
        return Node.scalar(path, line, col, null, false, false);
      }
      default -> {
        errors.add(new SpecError(file, line, col, path, "unsupported YAML value (" + t + ")"));
        return Node.scalar(path, line, col, null, false, false);
      }
    }
  }

  /**
   * Header values anywhere, database URLs and passwords, a service's signature secrets and admin token are
   * secret-bearing: never echoed, their parameters never stored.
   */
  static boolean secretField(String path) {
    if (path.equals("source.sql.url") || path.equals("source.sql.password") || path.equals("sink.sql_update.url")
        || path.equals("sink.sql_update.password") || path.equals("serve.admin_token")
        || path.startsWith("serve.routes[") && path.endsWith("].signature.secret")) {
      return true;
    }
    int h = path.lastIndexOf(".headers.");
    return h >= 0 && path.indexOf('.', h + ".headers.".length()) < 0;
  }

  /**
   * A step's request path (a request step's, a lookup's find or create, an exists rule's then): a parameter's value
   * in it is percent-encoded like a {@code {{ }}} value there, so a space, '/', '?', '#' or '%' stays inside its
   * segment; a prefix meant to be taken as written belongs in the target's base_url.
   */
  static boolean requestPath(String path) {
    return path.startsWith("steps[") && path.endsWith(".request.path");
  }

  private static String lastName(String path) {
    return path.substring(path.lastIndexOf('.') + 1);
  }

  private boolean quotedAt(int line, int col) {
    if (line < 1 || line > lines.length || col < 1) return false;
    String l = lines[line - 1];
    if (col - 1 >= l.length()) return false;
    char c = l.charAt(col - 1);
    return c == '"' || c == '\'';
  }

  private static String firstLine(String s) {
    if (s == null) return "";
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}

package dev.ferry.spec;

import dev.ferry.steps.BatchSettings;
import dev.ferry.steps.CallConfig;
import dev.ferry.steps.ItemMapping;
import dev.ferry.steps.JobSteps;
import dev.ferry.steps.LimitRule;
import dev.ferry.steps.LookupStepConfig;
import dev.ferry.steps.RequestStepConfig;
import dev.ferry.steps.RequestTemplate;
import dev.ferry.steps.ResponseRules;
import dev.ferry.steps.StatusAction;
import dev.ferry.steps.StatusRule;
import dev.ferry.steps.StepConfig;
import dev.ferry.steps.TargetConfig;
import dev.ferry.steps.TargetLimits;
import dev.ferry.steps.template.JsonPath;
import dev.ferry.steps.template.JsonTemplate;
import dev.ferry.steps.template.SpecException;
import dev.ferry.steps.template.SpecLocation;
import dev.ferry.steps.template.Template;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.regex.Matcher;

/**
 * Builds the steps' config records from a spec whose shape {@link SpecChecker} accepted, and checks what the
 * shape cannot: references between steps and targets, templates, paths. Collects every error with its node's
 * place. Not threadsafe: one per load.
 */
final class SpecAssembler {
  private final String file;
  private final Path baseDir;
  private final List<SpecError> errors = new ArrayList<>();
  private final VarReads varReads = new VarReads();
  private boolean readFiles;

  SpecAssembler(String file, Path baseDir) {
    this.file = file;
    this.baseDir = baseDir;
  }

  List<SpecError> errors() {
    return errors;
  }

  JobSpec.SourceSpec source(Node node) {
    Node csv = node.get("csv");
    if (csv != null) {
      Set<String> secret = secretColumns(csv);
      List<String> required = new ArrayList<>();
      if (csv.get("required_columns") != null) {
        for (Node c : csv.get("required_columns").items()) required.add(c.text());
      }
      return new JobSpec.CsvSource(path(csv.get("path")), secret, required);
    }
    Node jsonl = node.get("jsonl");
    if (jsonl != null) return new JobSpec.JsonlSource(path(jsonl.get("path")), secretColumns(jsonl));
    Node sql = node.get("sql");
    if (!databaseUrl(sql.get("url"))) return null;
    return build(sql, () -> new JobSpec.SqlSource(new dev.ferry.sources.sql.SqlSourceConfig(sql.get("url").text(),
        sql.get("query").text(), sql.get("key").text(), text(sql.get("user")), text(sql.get("password"))),
        secretColumns(sql)));
  }

  /** A source's {@code secret_columns}, lower case (names, or dotted paths into a JSONL record). */
  private static Set<String> secretColumns(Node source) {
    Set<String> secret = new java.util.LinkedHashSet<>();
    if (source.get("secret_columns") != null) {
      for (Node c : source.get("secret_columns").items()) secret.add(c.text().strip().toLowerCase(java.util.Locale.ROOT));
    }
    return secret;
  }

  JobSpec.SinkSpec sink(Node node) {
    Node jsonl = node.get("jsonl");
    if (jsonl != null) return new JobSpec.JsonlSink(path(jsonl.get("path")));
    Node u = node.get("sql_update");
    if (!databaseUrl(u.get("url"))) return null;
    return build(u, () -> {
      Map<String, String> set = new LinkedHashMap<>();
      u.get("set").fields().forEach((k, v) -> set.put(k, v.text()));
      return new JobSpec.SqlUpdateSink(new dev.ferry.sinks.sql.SqlUpdateSinkConfig(u.get("url").text(),
          text(u.get("user")), text(u.get("password")), u.get("table").text(), u.get("key").text(),
          text(u.get("key_field")), set));
    });
  }

  /** Whether a source's or sink's {@code url} is a database URL; else an error at the url itself. */
  private boolean databaseUrl(Node url) {
    return build(url, () -> {
      dev.ferry.sources.sql.JdbcDatabase.requireDatabaseUrl(url.text());
      return Boolean.TRUE;
    }) != null;
  }

  private static String text(Node node) {
    return node == null ? null : node.text();
  }

  private Path path(Node node) {
    String text = node.text();
    if (text.isBlank()) {
      error(node, "expected a file path, found nothing (an empty parameter?)");
      return baseDir;
    }
    return baseDir.resolve(text).normalize();
  }

  List<TargetConfig> targets(Node node) {
    List<TargetConfig> targets = new ArrayList<>();
    node.fields().forEach((name, t) -> {
      TargetConfig target = build(t, () -> {
        Map<String, String> headers = new LinkedHashMap<>();
        Node h = t.get("headers");
        if (h != null) h.fields().forEach((k, v) -> headers.put(k, v.text()));
        Node timeout = t.get("timeout");
        URI base = uri(t.get("base_url"));
        Node byHost = t.get("limits_by_host");
        if (byHost != null) byHost.fields().values().forEach(this::limits); // each one's errors, not only the chosen
        Map<Integer, String> refused = new LinkedHashMap<>();
        Node r = t.get("refused");
        if (r != null) r.fields().forEach((status, text) -> refused.put(Integer.parseInt(status), text.text()));
        return new TargetConfig(name, at(t), base, headers, limits(limitsFor(base, t)),
            timeout == null ? null : duration(timeout), refused);
      });
      if (target != null) targets.add(target);
    });
    return targets;
  }

  private URI uri(Node node) {
    String text = node.text();
    try {
      URI u = URI.create(text);
      if (u.getScheme() != null && (u.getScheme().equals("http") || u.getScheme().equals("https"))
          && u.getHost() != null) {
        return u;
      }
    } catch (IllegalArgumentException e) {
      // reported below
    }
    throw new Refused(node, "expected an http:// or https:// URL with a host"
        + (node.parameterized() ? " (check the parameter's value)" : ", found '" + text + "'"));
  }

  /**
   * The limits node that holds for a target at {@code base}: the first entry of {@code limits_by_host} matching its
   * host ({@code *.example.com}: any host under example.com), else {@code limits}; null when neither is given.
   */
  static Node limitsFor(URI base, Node target) {
    Node byHost = target.get("limits_by_host");
    if (byHost != null) {
      String host = base.getHost().toLowerCase(java.util.Locale.ROOT);
      for (Map.Entry<String, Node> e : byHost.fields().entrySet()) {
        String pattern = e.getKey().toLowerCase(java.util.Locale.ROOT);
        boolean match = pattern.startsWith("*.") ? host.endsWith(pattern.substring(1)) : host.equals(pattern);
        if (match) return e.getValue();
      }
    }
    return target.get("limits");
  }

  private TargetLimits limits(Node node) {
    if (node == null) return TargetLimits.NONE;
    if (node.isScalar()) return "auto".equals(node.text()) ? TargetLimits.AUTO : TargetLimits.NONE;
    List<LimitRule> rules = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (Node l : node.items()) {
      List<String> units = l.fields().keySet().stream().filter(k -> !k.equals("per") && !k.equals("smooth"))
          .toList();
      if (units.size() != 1) {
        error(l, "a limit names one unit (requests or tokens) and its window, e.g. {requests: 100, per: 1s}");
        continue;
      }
      String unit = units.get(0);
      Duration per = duration(l.get("per"));
      if (!per.isPositive()) {
        error(l.get("per"), "expected a window longer than zero (1s, 10s, 1m), found '" + l.get("per").text() + "'");
        continue;
      }
      if (!seen.add(unit + "/" + per)) error(l, "a second limit of " + unit + " per " + l.get("per").text());
      boolean smooth = l.get("smooth") != null && "true".equals(l.get("smooth").text());
      if (smooth && !LimitRule.REQUESTS.equals(unit)) {
        error(l.get("smooth"), "only a requests limit can be smooth (a weight such as tokens is a budget)");
        continue;
      }
      rules.add(new LimitRule(unit, Long.parseLong(l.get(unit).text().strip()), per, smooth));
    }
    return TargetLimits.of(rules);
  }

  List<StepConfig> steps(Node node, List<TargetConfig> targets) {
    List<StepConfig> steps = new ArrayList<>();
    Set<String> names = new HashSet<>();
    List<String> targetNames = targets.stream().map(TargetConfig::name).toList();
    for (Node s : node.items()) {
      String name = s.get("name").text();
      if (!names.add(name)) error(s.get("name"), "a second step named '" + name + "': step names are unique");
      Node target = s.get("target");
      if (!targetNames.contains(target.text()) && errors.stream().noneMatch(e -> e.field().startsWith("targets"))) {
        String near = Suggest.closest(target.text(), targetNames);
        error(target, "no target named '" + target.text() + "'" + (near != null ? " (did you mean '" + near + "'?)"
            : "") + "; targets: " + String.join(", ", targetNames));
      }
      boolean request = s.get("request") != null;
      boolean lookup = s.get("lookup") != null;
      if (request == lookup) {
        error(s, request ? "give request or lookup, not both" : "missing 'request' (or 'lookup')");
        continue;
      }
      if (lookup) {
        for (String k : List.of("idempotency_key", "capture", "charge", "on", "batch", "response", "split_on",
            "undo")) {
          if (s.get(k) != null) error(s.get(k), "belongs in lookup.find or lookup.create, not on a lookup step");
        }
      } else if (s.get("batch") == null) {
        for (String k : List.of("response", "split_on")) {
          if (s.get(k) != null) error(s.get(k), "only a batch step (with batch:) has " + k);
        }
      } else if (s.get("undo") != null) {
        error(s.get("undo"), "a batch step has no undo (its rows fail one by one, their items are the batch's)");
      }
      StepConfig step = build(s, () -> lookup ? lookupStep(name, s) : requestStep(name, s));
      if (step != null) steps.add(step);
    }
    return steps;
  }

  /** The spec's lookup tables, read from their files now. */
  /** Whether a table was read from a file (a spec whose load reads files is not {@link SpecLoader}'s to reuse). */
  boolean readFiles() {
    return readFiles;
  }

  Map<String, Object> tables(Node node) {
    Map<String, Object> tables = new LinkedHashMap<>();
    node.fields().forEach((name, t) -> {
      Map<String, Object> table = build(t, () -> {
        String file = t.get("csv").text();
        if (file.isBlank()) return Map.<String, Object>of(); // an unset optional parameter: an empty table
        try {
          java.util.regex.Pattern values = null;
          if (t.get("value_pattern") != null) {
            try {
              values = java.util.regex.Pattern.compile(t.get("value_pattern").text());
            } catch (java.util.regex.PatternSyntaxException e) {
              throw new Refused(t.get("value_pattern"), "not a regular expression: " + e.getDescription());
            }
          }
          readFiles = true;
          return LookupTables.read(baseDir.resolve(file).normalize(), t.get("key").text(), t.get("value").text(),
              values);
        } catch (IllegalArgumentException e) {
          throw new Refused(t.get("csv"), e.getMessage());
        }
      });
      if (table != null) tables.put(name, table);
    });
    return tables;
  }

  /** A map of templates in written order (the spec's vars). */
  Map<String, Template> templatesOf(Node node) {
    return templates(node);
  }

  List<dev.ferry.steps.RowCheck> checks(Node node) {
    List<dev.ferry.steps.RowCheck> out = new ArrayList<>();
    for (Node c : node.items()) {
      dev.ferry.steps.RowCheck check = build(c, () -> new dev.ferry.steps.RowCheck(at(c), template(c.get("require")),
          c.get("code").text(), optTemplate(c.get("message"))));
      if (check != null) out.add(check);
    }
    return out;
  }

  /** Outcomes a report counter may add up (what {@code StepCounts} counts). */
  static final List<String> OUTCOMES = List.of("ok", "existing", "created", "cached", "undone", "failed");

  /** The steps' reported_as names, the unique key's code and label, and the report's counters (terms checked). */
  JobSpec.Reporting reporting(Node steps, Node unique, Node report) {
    Map<String, String> reportedAs = new LinkedHashMap<>();
    List<String> names = new ArrayList<>();
    for (Node s : steps.items()) {
      names.add(s.get("name").text());
      if (s.get("reported_as") != null) reportedAs.put(s.get("name").text(), s.get("reported_as").text());
    }
    String code = null;
    String label = null;
    if (unique != null && unique.isMap()) {
      code = text(unique.get("code"));
      label = text(unique.get("label"));
    }
    Map<String, Map<String, List<String>>> counters = new LinkedHashMap<>();
    if (report != null) {
      report.fields().forEach((group, g) -> {
        Map<String, List<String>> m = new LinkedHashMap<>();
        g.fields().forEach((counter, v) -> {
          List<String> terms = new ArrayList<>();
          for (String term : v.text().split("\\+")) {
            String t = term.strip();
            int dot = t.indexOf('.');
            String step = t.substring(0, dot);
            String outcome = t.substring(dot + 1);
            if (!names.contains(step)) {
              String near = Suggest.closest(step, names);
              error(v, "no step named '" + step + "'" + (near != null ? " (did you mean '" + near + "'?)" : "")
                  + "; steps: " + String.join(", ", names));
            } else if (!OUTCOMES.contains(outcome)) {
              error(v, "'" + outcome + "' is not an outcome a step counts: " + String.join(", ", OUTCOMES));
            }
            terms.add(t);
          }
          m.put(counter, terms);
        });
        counters.put(group, m);
      });
    }
    return new JobSpec.Reporting(reportedAs, code, label, counters);
  }

  private StepConfig requestStep(String name, Node s) {
    Node undo = s.get("undo");
    return new RequestStepConfig(name, at(s), optTemplate(s.get("when")), s.get("target").text(), call(s),
        s.get("batch") == null ? null : batch(s),
        undo == null ? null : new dev.ferry.steps.UndoConfig(optTemplate(undo.get("when")), call(undo)));
  }

  private StepConfig lookupStep(String name, Node s) {
    Node l = s.get("lookup");
    Node ns = l.get("namespace");
    return new LookupStepConfig(name, at(s), optTemplate(s.get("when")), s.get("target").text(),
        template(l.get("key")), ns == null ? null : ns.text(), call(l.get("find")),
        l.get("create") == null ? null : call(l.get("create")), optTemplate(l.get("create_when")),
        l.get("not_found") == null ? null : new LookupStepConfig.NotFound(l.get("not_found").get("code").text(),
            optTemplate(l.get("not_found").get("message"))),
        l.get("prewarm") != null && "true".equals(l.get("prewarm").text()));
  }

  private CallConfig call(Node c) {
    Node r = c.get("request");
    Node body = r.get("body");
    RequestTemplate request = new RequestTemplate(r.get("method").text(), template(r.get("path")),
        templates(r.get("query")), templates(r.get("headers")), body == null ? null : json(body),
        r.get("omit_empty") != null && "true".equals(r.get("omit_empty").text()));
    Map<String, JsonPath> capture = new LinkedHashMap<>();
    Node cap = c.get("capture");
    if (cap != null) cap.fields().forEach((k, v) -> capture.put(k, jsonPath(v)));
    return new CallConfig(request, optTemplate(c.get("idempotency_key")), rules(c.get("on"), capture.keySet()),
        capture, templates(c.get("charge")));
  }

  private ResponseRules rules(Node on, Set<String> captured) {
    if (on == null) return ResponseRules.DEFAULTS;
    Map<String, StatusRule> rules = new LinkedHashMap<>();
    on.fields().forEach((status, v) -> {
      if (v.isScalar()) rules.put(status, StatusRule.of(StatusAction.of(v.text())));
      else {
        Set<String> codes = new java.util.LinkedHashSet<>();
        if (v.get("codes") != null) for (Node c : v.get("codes").items()) codes.add(c.text());
        StatusAction action = StatusAction.of(v.get("action").text());
        if (v.get("then") != null && action != StatusAction.EXISTS) {
          throw new Refused(v.get("then"), "only 'exists' takes a call (then) to read the existing item");
        }
        Map<String, JsonPath> paths = new LinkedHashMap<>();
        Node cap = v.get("capture");
        if (cap != null) {
          if (v.get("then") != null) {
            throw new Refused(cap, "give capture or then, not both: the then call's answer supplies the captures");
          }
          if (action != StatusAction.OK && action != StatusAction.EXISTS) {
            throw new Refused(cap, "only an ok or exists rule captures from its answer");
          }
          cap.fields().forEach((name, path) -> {
            if (!captured.contains(name)) {
              throw new Refused(path, "'" + name + "' is not captured by the call: a rule's capture gives other paths"
                  + " for the call's names" + (captured.isEmpty() ? " (it captures nothing)"
                  : " (" + String.join(", ", captured) + ")"));
            }
            paths.put(name, jsonPath(path));
          });
        }
        rules.put(status, new StatusRule(action, v.get("then") == null ? null : call(v.get("then")), codes, paths,
            v.get("error") == null ? null : jsonPath(v.get("error"))));
      }
    });
    return new ResponseRules(rules);
  }

  private BatchSettings batch(Node s) {
    Node b = s.get("batch");
    Node linger = b.get("linger");
    Node split = s.get("split_on");
    Set<Integer> splitOn = null;
    if (split != null) {
      splitOn = new TreeSet<>();
      for (Node n : split.items()) splitOn.add(Integer.parseInt(n.text().strip()));
    }
    return new BatchSettings(Integer.parseInt(b.get("max_items").text().strip()), count(b.get("max_bytes")),
        count(b.get("max_weight")), optTemplate(b.get("weight")),
        linger == null ? BatchSettings.DEFAULT_LINGER : duration(linger), items(s.get("response")), splitOn);
  }

  private ItemMapping items(Node r) {
    if (r == null) return ItemMapping.WHOLE;
    JsonPath items = jsonPath(r.get("items"));
    JsonPath error = r.get("error") == null ? null : jsonPath(r.get("error"));
    Node match = r.get("match");
    if (match == null) return ItemMapping.byPosition(items, error);
    if (match.get("index") != null) return ItemMapping.byIndex(items, jsonPath(match.get("index")), error);
    Node rowKey = r.get("row_key");
    if (rowKey == null) {
      throw new Refused(r, "matching by key needs row_key: the row's key to compare, e.g. \"{{ row.id }}\"");
    }
    return ItemMapping.byKey(items, jsonPath(match.get("key")), template(rowKey), error);
  }

  /**
   * A {@code sql_update} sink's {@code set} values read {@code row.FIELD} or {@code STEP.CAPTURE…}: the step must be
   * one of the spec's and the first field one of its captures, else every row's column is written NULL (an absent
   * value) with no word said (a typo of {@code embed.vector} left the embeddings of a whole table empty).
   */
  void sinkPaths(Node sink, List<StepConfig> steps) {
    Node u = sink == null ? null : sink.get("sql_update");
    Node set = u == null ? null : u.get("set");
    if (set == null || !set.isMap()) return;
    Map<String, Set<String>> captures = new LinkedHashMap<>();
    for (StepConfig s : steps) captures.put(s.name(), capturesOf(s));
    set.fields().forEach((column, v) -> {
      if (!v.isScalar()) return; // refused by the grammar
      String[] parts = v.text().strip().split("\\.", -1);
      if (parts.length > 1 && parts[0].equals("row")) return;
      Set<String> names = captures.get(parts[0]);
      if (names == null) {
        String near = Suggest.closest(parts[0], captures.keySet());
        error(v, "no step named '" + parts[0] + "'" + (near != null ? " (did you mean '" + near + "'?)" : "")
            + "; a value is row.FIELD or STEP.CAPTURE (steps: " + String.join(", ", captures.keySet()) + ")");
      } else if (parts.length > 1 && !names.contains(parts[1])) {
        String near = Suggest.closest(parts[1], names);
        error(v, "step '" + parts[0] + "' captures no '" + parts[1] + "'" + (near != null ? " (did you mean '"
            + near + "'?)" : "") + "; it captures " + (names.isEmpty() ? "nothing" : String.join(", ", names)));
      }
    });
  }

  /** The names a step's results hold: its call's captures (and a follow-up call's), a lookup's find and create's. */
  private static Set<String> capturesOf(StepConfig step) {
    Set<String> names = new java.util.LinkedHashSet<>();
    switch (step) {
      case RequestStepConfig r -> {
        names.addAll(r.call().capture().keySet());
        r.call().rules().rules().values().forEach(rule -> {
          if (rule.then() != null) names.addAll(rule.then().capture().keySet());
        });
      }
      case LookupStepConfig l -> {
        names.addAll(l.find().capture().keySet());
        if (l.create() != null) names.addAll(l.create().capture().keySet());
      }
    }
    return names;
  }

  /** What the records cannot check alone: the steps engineer's cross-checks (templates read earlier steps...). */
  void crossCheck(List<TargetConfig> targets, List<StepConfig> steps, Map<String, Template> vars,
      List<dev.ferry.steps.RowCheck> checks) {
    for (Map.Entry<Node, String> e : varReads.check(vars)) error(e.getKey(), e.getValue());
    try {
      JobSteps.validateRowRules(vars, checks);
    } catch (SpecException e) {
      errors.add(fromSpecException(e, ""));
    }
    try {
      JobSteps.validate(targets, steps);
    } catch (SpecException e) {
      errors.add(fromSpecException(e, ""));
    } catch (UnsupportedOperationException e) {
      // steps' validation not there yet: the spec's own checks above stand
    }
  }

  /** The row's columns the spec's templates read by name; null when one reads the row otherwise ({@link VarReads}). */
  Set<String> columnsRead() {
    return varReads.columnsRead();
  }

  Template template(Node node) {
    return varReads.note(node, parsed(node, node.text()));
  }

  /**
   * A template that does not parse (an unknown function, a wrong number of arguments...) is an error at its own
   * field ({@code steps[1].request.body.email}, file:line:column inside the text), and the spec goes on being checked
   * with the text as a literal in its place, so that every such error is told at once. Nothing runs a spec with
   * errors: the cross-checks are skipped and the load throws them all.
   */
  private Template parsed(Node node, String text) {
    try {
      return Template.parse(text, textAt(node));
    } catch (SpecException e) {
      errors.add(fromSpecException(e, node.path()));
      return Template.literal(text);
    }
  }

  private Template optTemplate(Node node) {
    return node == null ? null : template(node);
  }

  private Map<String, Template> templates(Node node) {
    Map<String, Template> m = new LinkedHashMap<>();
    if (node != null) node.fields().forEach((k, v) -> m.put(k, template(v)));
    return m;
  }

  private JsonTemplate json(Node node) {
    return switch (node.kind()) {
      case MAP -> {
        Map<String, JsonTemplate> fields = new LinkedHashMap<>();
        node.fields().forEach((k, v) -> fields.put(k, json(v)));
        yield JsonTemplate.object(fields);
      }
      case LIST -> JsonTemplate.array(node.items().stream().map(this::json).toList());
      case SCALAR -> node.value() instanceof String s
          ? JsonTemplate.value(varReads.note(node, parsed(node, s)))
          : JsonTemplate.value(Template.literal(plainNumber(node.value())));
    };
  }

  private static Object plainNumber(Object v) {
    if (v instanceof BigDecimal d) return d.doubleValue();
    return v;
  }

  /** As {@link #parsed}: a path that does not parse is an error at its own field; {@code $} stands in for it. */
  private JsonPath jsonPath(Node node) {
    try {
      return JsonPath.parse(node.text(), textAt(node));
    } catch (SpecException e) {
      errors.add(fromSpecException(e, node.path()));
      return JsonPath.parse("$", textAt(node));
    }
  }

  private static long count(Node node) {
    return node == null ? 0 : Long.parseLong(node.text().strip());
  }

  static Duration duration(Node node) {
    Matcher m = SpecChecker.DURATION.matcher(node.text());
    if (!m.matches()) throw new IllegalStateException("checked by SpecChecker: " + node.path());
    double amount = Double.parseDouble(m.group(1));
    double millis = switch (m.group(2)) {
      case "ms" -> amount;
      case "s" -> amount * 1e3;
      case "m" -> amount * 60e3;
      default -> amount * 3600e3;
    };
    return Duration.ofNanos(Math.round(millis * 1e6));
  }

  private SpecLocation at(Node node) {
    return new SpecLocation(file, node.line(), node.column());
  }

  /** Where the node's text starts, and its field: a template's error when rendered for a row names both. */
  private SpecLocation textAt(Node node) {
    return new SpecLocation(file, node.line(), node.textColumn(), node.path());
  }

  /** Runs a build, turning what the records and templates refuse into errors at the node. */
  private <T> T build(Node node, Supplier<T> build) {
    try {
      return build.get();
    } catch (SpecException e) {
      errors.add(fromSpecException(e, node.path()));
    } catch (Refused e) {
      errors.add(new SpecError(file, e.node.line(), e.node.column(), e.node.path(), e.getMessage()));
    } catch (IllegalArgumentException e) {
      errors.add(new SpecError(file, node.line(), node.column(), node.path(), e.getMessage()));
    }
    return null;
  }

  private SpecError fromSpecException(SpecException e, String field) {
    SpecLocation l = e.location();
    return new SpecError(l.file().isEmpty() ? file : l.file(), l.line(), l.column(),
        field.isEmpty() ? l.field() : field, e.detail());
  }

  private void error(Node node, String message) {
    errors.add(new SpecError(file, node.line(), node.column(), node.path(), message));
  }

  /** A value refused at a node more precise than the one being built. */
  private static final class Refused extends RuntimeException {
    final transient Node node;

    Refused(Node node, String message) {
      super(message, null, false, false);
      this.node = node;
    }
  }
}

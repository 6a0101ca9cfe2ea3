package dev.ferry.spec;

import dev.ferry.core.source.InputException;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Loads a job spec: YAML with positions, parameters from the environment, the grammar's checks, then the steps'
 * config records and the references between them. Every error is collected and thrown at once as an
 * {@link InvalidSpecException}; nothing is sent before a spec loads. Stateless, threadsafe.
 */
public final class SpecLoader {
  private SpecLoader() {}

  /**
   * Reads and loads a spec file; relative paths in it are relative to the current directory.
   *
   * @throws InvalidSpecException with every error found
   * @throws InputException when the file cannot be read
   */
  public static JobSpec load(Path file, Map<String, String> env) throws IOException {
    return parse(file.toString(), read(file), env, Path.of("").toAbsolutePath());
  }

  /** The spec file's text (UTF-8). */
  public static String read(Path file) throws IOException {
    if (Files.isDirectory(file)) throw new InputException(file + ": is a directory, not a job spec");
    try {
      return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file))).toString();
    } catch (NoSuchFileException e) {
      throw new InputException(file + ": no such file");
    } catch (CharacterCodingException e) {
      throw new InputException(file + ": not UTF-8 text");
    }
  }

  /**
   * Loads a spec from its text.
   *
   * @param file    the name errors give (the path as the user wrote it, or a built-in spec's name)
   * @param env     parameter values (the environment, or a job's stored parameters over it)
   * @param baseDir what relative paths in the spec are relative to
   * @throws InvalidSpecException with every error found
   */
  public static JobSpec parse(String file, String text, Map<String, String> env, Path baseDir) {
    return parse(file, text, env, baseDir, null);
  }

  /**
   * Loads a service spec ({@code ferry serve}): the job grammar's targets, steps and key, and a {@code serve}
   * section instead of a source (the job spec's source is null).
   *
   * @throws InvalidSpecException with every error found
   */
  public static ServiceSpec parseService(String file, String text, Map<String, String> env, Path baseDir) {
    ServeConfig[] serve = new ServeConfig[1];
    JobSpec job = parse(file, text, env, baseDir, serve);
    return new ServiceSpec(job, serve[0]);
  }

  /**
   * The environment of a dry run: every parameter the spec references whose name marks a secret (KEY, SECRET, TOKEN,
   * PASSWORD, CREDENTIAL) and that is unset reads {@code ***}, since a dry run sends nothing and masks secrets anyway
   * (a dry run of the WorkOS import needs no API key, as {@code import-users --dry-run} does not).
   */
  public static Map<String, String> dryRunEnv(String text, Map<String, String> env) {
    Map<String, String> out = new LinkedHashMap<>(env);
    for (String name : Parameters.referenced(text)) {
      if (Parameters.secretName(name) && !env.containsKey(name)) out.put(name, "***");
    }
    return out;
  }

  /**
   * What an action on a service's queue ({@code ferry serve --list-failed}, {@code --redrive}, {@code --drop-failed})
   * needs of its spec: the queue's name and a mask of the secret parameters the environment gives. Immutable.
   *
   * @param queue the queue's name in the store ({@code serve.queue}, else the spec's name, else "serve")
   * @param mask  the values of the spec's secret parameters that are set (an unset one has no value to hide)
   */
  public record ServiceQueue(String queue, dev.ferry.http.SecretMask mask) {}

  /**
   * Reads a service spec for an action on its queue. Those actions send nothing, so the parameters of its targets,
   * routes and steps need not be set: only the YAML, the spec's kind and the fields that name the queue ({@code name},
   * {@code serve.queue}) must be right (else {@link InvalidSpecException}, as {@link #loadService} says it).
   */
  public static ServiceQueue loadServiceQueue(Path file, Map<String, String> env) throws IOException {
    String name = file.toString();
    Parameters params = new Parameters(env);
    SpecYaml yaml = new SpecYaml(name, read(file), params);
    Node root = yaml.root();
    if (root == null) throw new InvalidSpecException(yaml.errors());
    SpecError otherKind = otherKind(name, root, true);
    if (otherKind != null) throw new InvalidSpecException(List.of(otherKind));
    List<SpecError> naming = yaml.errors().stream()
        .filter(e -> e.field().equals("name") || e.field().equals("serve.queue")).toList();
    if (!naming.isEmpty()) throw new InvalidSpecException(naming);
    Node serve = root.isMap() ? root.get("serve") : null;
    Node queue = serve != null && serve.isMap() ? serve.get("queue") : null;
    Node specName = root.isMap() ? root.get("name") : null;
    String spec = specName == null ? "" : specName.text();
    return new ServiceQueue(queue != null ? queue.text() : spec.matches(Grammar.NAME_PATTERN) ? spec : "serve",
        secretMask(yaml, params));
  }

  /** Reads and loads a service spec file, as {@link #load}. */
  public static ServiceSpec loadService(Path file, Map<String, String> env) throws IOException {
    return parseService(file.toString(), read(file), env, Path.of("").toAbsolutePath());
  }

  /**
   * Loads a spec; its errors never show a secret parameter's value (an error quoting a template or value holding
   * one shows {@code ***}), and a template error the checks did not place is an error of the spec, not a crash.
   *
   * @param serve null for a job spec; for a service spec, where its serve section goes
   */
  /**
   * The last job spec loaded in this process, with what it was loaded from (its file's name, text, base directory and
   * the values its parameters resolved to) when its load read no other file: {@code ferry run} loads a spec to plan
   * the job, then its session loads the job's stored spec with the same parameters to run it (the text parsed, the
   * templates and regexes compiled twice). A load of the same text whose parameters all resolve the same reuses it.
   */
  private record Loaded(String file, String text, Path baseDir, List<String[]> reads, JobSpec spec) {}

  private static final java.util.concurrent.atomic.AtomicReference<Loaded> LAST =
      new java.util.concurrent.atomic.AtomicReference<>();

  private static JobSpec parse(String file, String text, Map<String, String> env, Path baseDir, ServeConfig[] serve) {
    Loaded last = serve == null ? LAST.get() : null;
    if (last != null && last.file().equals(file) && last.text().equals(text) && last.baseDir().equals(baseDir)
        && Parameters.sameValues(last.reads(), env)) {
      return last.spec(); // the same text with the same parameter values: the same spec (immutable)
    }
    Parameters params = new Parameters(env);
    SpecYaml yaml = new SpecYaml(file, text, params);
    try {
      boolean[] readFiles = new boolean[1];
      JobSpec spec = assemble(file, text, baseDir, serve, params, yaml, readFiles);
      if (serve == null && !readFiles[0]) LAST.set(new Loaded(file, text, baseDir, params.reads(), spec));
      return spec;
    } catch (InvalidSpecException e) {
      dev.ferry.http.SecretMask mask = secretMask(yaml, params);
      if (mask.isEmpty()) throw e;
      throw new InvalidSpecException(e.errors().stream().map(x -> new SpecError(x.file(), x.line(), x.column(),
          x.field(), mask.mask(x.message()))).toList());
    } catch (dev.ferry.steps.template.SpecException e) {
      dev.ferry.steps.template.SpecLocation at = e.location();
      throw new InvalidSpecException(new SpecError(at.file().isEmpty() ? file : at.file(), at.line(), at.column(),
          at.field(), secretMask(yaml, params).mask(e.detail())));
    }
  }

  /** The values of the secret parameters resolved so far. */
  private static dev.ferry.http.SecretMask secretMask(SpecYaml yaml, Parameters params) {
    Set<String> secret = secretNames(yaml, yaml.root());
    List<String> values = new ArrayList<>();
    params.used().forEach((name, value) -> {
      if (secret.contains(name)) values.add(value);
    });
    return dev.ferry.http.SecretMask.of(values);
  }

  /** Parameters that hold secrets: used where a secret goes, named like one, or declared in {@code secrets}. */
  private static Set<String> secretNames(SpecYaml yaml, Node root) {
    Set<String> secret = new java.util.LinkedHashSet<>(yaml.secretParams());
    Node declared = root == null || !root.isMap() ? null : root.get("secrets");
    if (declared != null && declared.isList()) for (Node n : declared.items()) secret.add(n.text());
    return secret;
  }

  private static JobSpec assemble(String file, String text, Path baseDir, ServeConfig[] serve, Parameters params,
      SpecYaml yaml, boolean[] readFiles) {
    List<SpecError> errors = new ArrayList<>(yaml.errors());
    Node root = yaml.root();
    if (root == null) throw new InvalidSpecException(errors);
    SpecError otherKind = otherKind(file, root, serve != null);
    if (otherKind != null) throw new InvalidSpecException(List.of(otherKind));
    errors.addAll(new SpecChecker(file).check(root, serve == null ? Grammar.SPEC : Grammar.SERVICE));
    if (!errors.isEmpty()) throw new InvalidSpecException(sorted(dedupe(withLaterChecks(file, baseDir, serve, root,
        errors))));
    SpecAssembler assembler = new SpecAssembler(file, baseDir);
    JobSpec.SourceSpec source = serve == null ? assembler.source(root.get("source")) : null;
    if (serve != null) {
      Node name = root.get("name");
      serve[0] = new ServeAssembler(file, errors).serve(root.get("serve"), name == null ? "" : name.text());
    }
    var targets = assembler.targets(root.get("targets"));
    var steps = assembler.steps(root.get("steps"), targets);
    var key = root.get("key") == null ? null : assembler.template(root.get("key"));
    var vars = root.get("vars") == null ? Map.<String, dev.ferry.steps.template.Template>of()
        : assembler.templatesOf(root.get("vars"));
    var checks = root.get("checks") == null ? List.<dev.ferry.steps.RowCheck>of()
        : assembler.checks(root.get("checks"));
    Node uniqueNode = root.get("unique");
    var unique = uniqueNode == null ? null
        : assembler.template(uniqueNode.isMap() ? uniqueNode.get("key") : uniqueNode);
    JobSpec.Reporting reporting = assembler.reporting(root.get("steps"), uniqueNode, root.get("report"));
    Map<String, Object> tables = root.get("tables") == null ? Map.of() : assembler.tables(root.get("tables"));
    JobSpec.SinkSpec sink = root.get("sink") == null ? null : assembler.sink(root.get("sink"));
    int chunkSize = root.get("chunk_size") == null ? JobSpec.DEFAULT_CHUNK_SIZE
        : Integer.parseInt(root.get("chunk_size").text().strip());
    if (steps.size() == root.get("steps").items().size()) assembler.sinkPaths(root.get("sink"), steps);
    if (assembler.errors().isEmpty()) assembler.crossCheck(targets, steps, vars, checks);
    errors.addAll(assembler.errors());
    if (!errors.isEmpty()) throw new InvalidSpecException(sorted(dedupe(errors)));
    Set<String> secret = secretNames(yaml, root);
    Map<String, String> stored = new LinkedHashMap<>();
    List<String> secretValues = new ArrayList<>();
    params.used().forEach((name, value) -> {
      if (secret.contains(name)) secretValues.add(value);
      else stored.put(name, value);
    });
    if (source instanceof JobSpec.CsvSource c) source = c.withColumnsRead(assembler.columnsRead());
    if (source instanceof JobSpec.SqlSource q) source = q.withColumnsRead(assembler.columnsRead());
    readFiles[0] = assembler.readFiles();
    Node name = root.get("name");
    return new JobSpec(file, text, name == null ? "" : name.text(), source, targets, steps, key, chunkSize, sink,
        stored, secret, secretValues, vars, checks, unique, tables, reporting);
  }

  /**
   * {@code errors} (the YAML's, the parameters', the grammar's) and what the later checks (templates, references
   * between steps and targets) find in the same tree, so that one pass reports every kind: a template that does not
   * parse was not reported while a parameter was missing. The later checks run on a tree the grammar refused, so
   * what they say about a field already in error (an undefined {@code ${API_URL}} reads empty: "base_url is not a
   * URL") is left out, and a check that cannot run on a node of the wrong shape ends them, keeping what they found.
   */
  private static List<SpecError> withLaterChecks(String file, Path baseDir, ServeConfig[] serve, Node root,
      List<SpecError> errors) {
    if (!root.isMap()) return errors;
    List<SpecError> later = new ArrayList<>();
    SpecAssembler assembler = new SpecAssembler(file, baseDir);
    try {
      if (serve == null) assembler.source(root.get("source"));
      if (serve != null) new ServeAssembler(file, later).serve(root.get("serve"), "");
      var targets = assembler.targets(root.get("targets"));
      var steps = assembler.steps(root.get("steps"), targets);
      if (root.get("key") != null) assembler.template(root.get("key"));
      var vars = root.get("vars") == null ? Map.<String, dev.ferry.steps.template.Template>of()
          : assembler.templatesOf(root.get("vars"));
      var checks = root.get("checks") == null ? List.<dev.ferry.steps.RowCheck>of()
          : assembler.checks(root.get("checks"));
      Node uniqueNode = root.get("unique");
      if (uniqueNode != null) assembler.template(uniqueNode.isMap() ? uniqueNode.get("key") : uniqueNode);
      if (steps.size() == root.get("steps").items().size()) assembler.sinkPaths(root.get("sink"), steps);
      if (assembler.errors().isEmpty()) assembler.crossCheck(targets, steps, vars, checks);
    } catch (dev.ferry.steps.template.SpecException e) {
      dev.ferry.steps.template.SpecLocation at = e.location();
      later.add(new SpecError(at.file().isEmpty() ? file : at.file(), at.line(), at.column(), at.field(),
          e.detail()));
    } catch (RuntimeException e) {
      // a node of a shape the grammar already refused: its error is in the list; the checks end here
    }
    later.addAll(0, assembler.errors());
    List<SpecError> all = new ArrayList<>(errors);
    for (SpecError e : later) if (!inErrorAlready(e, errors)) all.add(e);
    return all;
  }

  /** Whether {@code e} is about a field (or a part of one, or the place) that {@code errors} already name. */
  private static boolean inErrorAlready(SpecError e, List<SpecError> errors) {
    for (SpecError x : errors) {
      boolean unnamed = e.field() == null || e.field().isEmpty();
      if (x.line() == e.line() && (x.column() == e.column() || unnamed)) return true;
      String f = x.field();
      if (f == null || f.isEmpty() || e.field() == null) continue;
      if (e.field().equals(f) || e.field().startsWith(f + ".") || e.field().startsWith(f + "[")
          || f.startsWith(e.field() + ".") || f.startsWith(e.field() + "[")) {
        return true;
      }
    }
    return false;
  }

  /**
   * A service spec given to {@code ferry run} (or {@code spec check}), or a job spec given to {@code ferry serve}: one
   * error naming the command that runs it, instead of every key the other grammar does not know. Null otherwise.
   */
  private static SpecError otherKind(String file, Node root, boolean service) {
    if (!root.isMap()) return null;
    Node source = root.get("source");
    Node serve = root.get("serve");
    if (!service && serve != null && source == null) {
      return new SpecError(file, serve.keyLine(), serve.keyColumn(), "serve", "this is a service spec (serve:, no "
          + "source:): run it with 'ferry serve " + file + "'");
    }
    if (service && source != null && serve == null) {
      return new SpecError(file, source.keyLine(), source.keyColumn(), "source", "this is a job spec (source:, no "
          + "serve:): run it with 'ferry run " + file + "'");
    }
    return null;
  }

  /** Whether a spec's text is a service spec (a top-level {@code serve:} and no {@code source:}). */
  public static boolean isService(String text) {
    try {
      com.fasterxml.jackson.databind.JsonNode root = new com.fasterxml.jackson.databind.ObjectMapper(
          new com.fasterxml.jackson.dataformat.yaml.YAMLFactory()).readTree(text);
      return root != null && root.isObject() && root.has("serve") && !root.has("source");
    } catch (IOException e) {
      return false;
    }
  }

  private static List<SpecError> dedupe(List<SpecError> errors) {
    return new ArrayList<>(new java.util.LinkedHashSet<>(errors));
  }

  private static List<SpecError> sorted(List<SpecError> errors) {
    List<SpecError> s = new ArrayList<>(errors);
    s.sort(java.util.Comparator.comparingInt(SpecError::line).thenComparingInt(SpecError::column));
    return s;
  }
}

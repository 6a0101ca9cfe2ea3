package dev.ferry.spec;

import dev.ferry.steps.RowCheck;
import dev.ferry.steps.StepConfig;
import dev.ferry.steps.TargetConfig;
import dev.ferry.steps.template.Template;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A job spec, loaded and checked: everything a run needs, built into the steps' config records. Immutable.
 * Holds resolved secrets (in the targets' headers) in memory only: {@link #storedParams()} is what a job may store.
 *
 * @param file         the spec's name as the user gave it (for messages)
 * @param text         the spec as written, parameters not substituted: what a job stores to be re-read on resume
 * @param name         the spec's name, or ""
 * @param source       where the rows come from
 * @param targets      the APIs, in written order
 * @param steps        what each row goes through, in order
 * @param key          the row's business key, or null
 * @param chunkSize    rows per chunk
 * @param sink         where settled rows' results go, or null
 * @param storedParams the parameters used that are not secret, with their values (a resume reuses them)
 * @param secretParams the names of parameters that hold secrets (a resume reads them from the environment)
 * @param secretValues the secret parameters' values, for masking output; never stored or printed
 * @param vars         values computed for each row before its checks and steps ({@code vars.NAME}), in order
 * @param checks       rules every row must pass before its steps (else it is invalid)
 * @param unique       a template of a key no two rows may share (compared ignoring case and surrounding blanks): a
 *                     later row repeating an earlier one's is invalid when the job is planned; null for none
 * @param tables       lookup tables read from files when the spec is loaded: name → (key → value)
 * @param reporting    how outcomes are named and counted in the ledger, the errors file and the report
 */
public record JobSpec(String file, String text, String name, SourceSpec source, List<TargetConfig> targets,
    List<StepConfig> steps, Template key, int chunkSize, SinkSpec sink, Map<String, String> storedParams,
    Set<String> secretParams, List<String> secretValues, Map<String, Template> vars, List<RowCheck> checks,
    Template unique, Map<String, Object> tables, Reporting reporting) {
  public static final int DEFAULT_CHUNK_SIZE = 1000;

  /**
   * How a spec names its outcomes and what its report counts. Immutable.
   *
   * @param reportedAs  step name → the name its failures carry ({@code reported_as})
   * @param uniqueCode  the code of a row repeating an earlier row's {@code unique} key
   * @param uniqueLabel what the unique key is ("email"), for the message; "" for the default message
   * @param counters    the report's counters: group → counter → the {@code step.outcome} terms summed, in order
   */
  public record Reporting(Map<String, String> reportedAs, String uniqueCode, String uniqueLabel,
      Map<String, Map<String, List<String>>> counters) {
    public static final Reporting DEFAULTS = new Reporting(Map.of(), "duplicate", "", Map.of());

    public Reporting {
      reportedAs = Map.copyOf(reportedAs);
      uniqueCode = uniqueCode == null || uniqueCode.isBlank() ? "duplicate" : uniqueCode;
      uniqueLabel = uniqueLabel == null ? "" : uniqueLabel;
      Map<String, Map<String, List<String>>> c = new java.util.LinkedHashMap<>();
      counters.forEach((group, m) -> {
        Map<String, List<String>> inner = new java.util.LinkedHashMap<>();
        m.forEach((k, v) -> inner.put(k, List.copyOf(v)));
        c.put(group, java.util.Collections.unmodifiableMap(inner));
      });
      counters = java.util.Collections.unmodifiableMap(c);
    }

    /**
     * The counters' values from what each step did ({@code step → outcome → count}): group → counter → sum, in
     * written order.
     */
    public Map<String, Map<String, Long>> count(Map<String, Map<String, Long>> steps) {
      Map<String, Map<String, Long>> out = new java.util.LinkedHashMap<>();
      counters.forEach((group, m) -> {
        Map<String, Long> values = new java.util.LinkedHashMap<>();
        m.forEach((counter, terms) -> {
          long sum = 0;
          for (String term : terms) {
            int dot = term.indexOf('.');
            sum += steps.getOrDefault(term.substring(0, dot), Map.of()).getOrDefault(term.substring(dot + 1), 0L);
          }
          values.put(counter, sum);
        });
        out.put(group, values);
      });
      return out;
    }
  }

  /** A spec with the default names and no report counters. */
  public JobSpec(String file, String text, String name, SourceSpec source, List<TargetConfig> targets,
      List<StepConfig> steps, Template key, int chunkSize, SinkSpec sink, Map<String, String> storedParams,
      Set<String> secretParams, List<String> secretValues, Map<String, Template> vars, List<RowCheck> checks,
      Template unique, Map<String, Object> tables) {
    this(file, text, name, source, targets, steps, key, chunkSize, sink, storedParams, secretParams, secretValues,
        vars, checks, unique, tables, Reporting.DEFAULTS);
  }

  public JobSpec {
    reporting = reporting == null ? Reporting.DEFAULTS : reporting;
    targets = List.copyOf(targets);
    steps = List.copyOf(steps);
    storedParams = Map.copyOf(storedParams);
    secretParams = Set.copyOf(secretParams);
    secretValues = List.copyOf(secretValues);
    vars = vars == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(vars));
    checks = checks == null ? List.of() : List.copyOf(checks);
    tables = tables == null ? Map.of() : Map.copyOf(tables);
  }

  /** A spec without checks or unique key. */
  public JobSpec(String file, String text, String name, SourceSpec source, List<TargetConfig> targets,
      List<StepConfig> steps, Template key, int chunkSize, SinkSpec sink, Map<String, String> storedParams,
      Set<String> secretParams, List<String> secretValues) {
    this(file, text, name, source, targets, steps, key, chunkSize, sink, storedParams, secretParams, secretValues,
        Map.of(), List.of(), null, Map.of(), Reporting.DEFAULTS);
  }

  /** Where a spec's rows come from. */
  public sealed interface SourceSpec {}

  /**
   * A CSV file.
   *
   * @param secretColumns columns (lower case) whose values never leave the file: not in the errors file, masked in a
   *                      dry run's output
   * @param requiredColumns columns the header must have
   * @param columnsRead     the columns the spec's templates read by name ({@code row.NAME}), for the planning's check
   *                        of the header; null when unknown, or when a template reads the row otherwise (any column)
   */
  public record CsvSource(Path path, Set<String> secretColumns, List<String> requiredColumns, Set<String> columnsRead)
      implements SourceSpec {
    public CsvSource {
      secretColumns = secretColumns == null ? Set.of() : Set.copyOf(secretColumns);
      requiredColumns = requiredColumns == null ? List.of() : List.copyOf(requiredColumns);
      columnsRead = columnsRead == null ? null
          : java.util.Collections.unmodifiableSortedSet(new java.util.TreeSet<>(columnsRead)); // in name order
    }

    public CsvSource(Path path, Set<String> secretColumns, List<String> requiredColumns) {
      this(path, secretColumns, requiredColumns, null);
    }

    /** The same source, read by templates that read these columns (null: any). */
    public CsvSource withColumnsRead(Set<String> columns) {
      return new CsvSource(path, secretColumns, requiredColumns, columns);
    }

    public CsvSource(Path path, Set<String> secretColumns) {
      this(path, secretColumns, List.of());
    }

    public CsvSource(Path path) {
      this(path, Set.of(), List.of());
    }
  }

  /**
   * A JSON Lines file.
   *
   * @param secretColumns fields (lower case; dotted paths reach nested ones: {@code user.password}) whose values
   *                      never leave the file: {@code ***} in the errors file's record, failure messages and a dry run
   */
  public record JsonlSource(Path path, Set<String> secretColumns) implements SourceSpec {
    public JsonlSource {
      secretColumns = secretColumns == null ? Set.of() : Set.copyOf(secretColumns);
    }

    public JsonlSource(Path path) {
      this(path, Set.of());
    }
  }

  /**
   * A SQL query (its config's url and password may hold credentials: toString shows neither).
   *
   * @param secretColumns columns (lower case) whose values never leave the database, as a JSONL source's fields
   */
  public record SqlSource(dev.ferry.sources.sql.SqlSourceConfig config, Set<String> secretColumns,
      Set<String> columnsRead) implements SourceSpec {
    /**
     * @param columnsRead the columns the spec's templates read by name ({@code row.NAME}), for the planning's check
     *                    of the query's columns; null when unknown, or when a template reads the row otherwise
     */
    public SqlSource {
      secretColumns = secretColumns == null ? Set.of() : Set.copyOf(secretColumns);
      columnsRead = columnsRead == null ? null
          : java.util.Collections.unmodifiableSortedSet(new java.util.TreeSet<>(columnsRead)); // in name order
    }

    public SqlSource(dev.ferry.sources.sql.SqlSourceConfig config, Set<String> secretColumns) {
      this(config, secretColumns, null);
    }

    public SqlSource(dev.ferry.sources.sql.SqlSourceConfig config) {
      this(config, Set.of());
    }

    /** The same source, read by templates that read these columns (null: any). */
    public SqlSource withColumnsRead(Set<String> columns) {
      return new SqlSource(config, secretColumns, columns);
    }
  }

  /** Where settled rows' results go. */
  public sealed interface SinkSpec {}

  /** A JSON Lines results file. */
  public record JsonlSink(Path path) implements SinkSpec {}

  /** An UPDATE of the source's table (credentials as the source). */
  public record SqlUpdateSink(dev.ferry.sinks.sql.SqlUpdateSinkConfig config) implements SinkSpec {}

  /**
   * {@code value} with every secret's value replaced by {@code ***}, in every form a request holds it (as it is,
   * JSON-escaped, URL-encoded: {@link dev.ferry.http.SecretMask}).
   */
  public String mask(String value) {
    return secretMask().mask(value);
  }

  /** The secret parameters' values as a mask for text about this job's requests. */
  public dev.ferry.http.SecretMask secretMask() {
    return dev.ferry.http.SecretMask.of(secretValues);
  }

  /** The same spec cut into chunks of {@code rows}. */
  public JobSpec withChunkSize(int rows) {
    return new JobSpec(file, text, name, source, targets, steps, key, rows, sink, storedParams, secretParams,
        secretValues, vars, checks, unique, tables, reporting);
  }

  /** The same spec calling other targets (e.g. with the limits of {@code --rate-limit}). */
  public JobSpec withTargets(List<TargetConfig> others) {
    return new JobSpec(file, text, name, source, others, steps, key, chunkSize, sink, storedParams, secretParams,
        secretValues, vars, checks, unique, tables, reporting);
  }

  /** The source's columns (or JSONL field paths) whose values never leave the input (lower case). */
  public Set<String> secretColumns() {
    return switch (source) {
      case CsvSource c -> c.secretColumns();
      case JsonlSource j -> j.secretColumns();
      case SqlSource s -> s.secretColumns();
      case null -> Set.of();
    };
  }

  /** The same spec reading another source (a slice of this one's: {@code ferry bench --spec}). */
  public JobSpec withSource(SourceSpec other) {
    return new JobSpec(file, text, name, other, targets, steps, key, chunkSize, sink, storedParams, secretParams,
        secretValues, vars, checks, unique, tables, reporting);
  }

  /** The same spec writing its results elsewhere (or nowhere: null). */
  public JobSpec withSink(SinkSpec other) {
    return new JobSpec(file, text, name, source, targets, steps, key, chunkSize, other, storedParams, secretParams,
        secretValues, vars, checks, unique, tables, reporting);
  }

  /** The single target's name, or null when the spec has several. */
  public String onlyTarget() {
    return targets.size() == 1 ? targets.get(0).name() : null;
  }
}

package dev.ferry.spec;

import static dev.ferry.spec.Shape.Type.ANY;
import static dev.ferry.spec.Shape.Type.BOOLEAN;
import static dev.ferry.spec.Shape.Type.COUNT;
import static dev.ferry.spec.Shape.Type.DURATION;
import static dev.ferry.spec.Shape.Type.POSITIVE;
import static dev.ferry.spec.Shape.Type.STATUS;
import static dev.ferry.spec.Shape.Type.STRING;
import static dev.ferry.spec.Shape.Type.TEMPLATE;

import dev.ferry.spec.Shape.AnyOf;
import dev.ferry.spec.Shape.Field;
import dev.ferry.spec.Shape.ListOf;
import dev.ferry.spec.Shape.MapOf;
import dev.ferry.spec.Shape.Obj;
import dev.ferry.spec.Shape.OneOfWords;
import dev.ferry.spec.Shape.Scalar;
import java.util.List;

/** The job spec format, version 1: every key, its type, whether it is required, and what it means. */
final class Grammar {
  private Grammar() {}

  /** Names of targets and steps: referenced from elsewhere, so simple words. */
  static final String NAME_PATTERN = "^[A-Za-z_][A-Za-z0-9_-]*$";
  /** A service route's URL path. */
  static final String ROUTE_PATH_PATTERN = "^/[A-Za-z0-9/_.-]*$";
  /** A parameter's name, as {@code ${NAME}} writes it. */
  static final String PARAMETER_NAME_PATTERN = "^[A-Za-z_][A-Za-z0-9_]*$";
  /** Keys of {@code on}: a status (409) or a class of them (4xx). */
  static final String STATUS_PATTERN = "^([1-5][0-9][0-9]|[1-5]xx)$";
  static final List<String> METHODS = List.of("GET", "POST", "PUT", "PATCH", "DELETE");
  /** What an answer with a given status means for the row ({@code on}). */
  static final List<String> ACTIONS = List.of("ok", "exists", "final", "retry", "stop");

  static Field req(String name, Shape shape, String description) {
    return new Field(name, shape, true, description);
  }

  static Field opt(String name, Shape shape, String description) {
    return new Field(name, shape, false, description);
  }

  static Scalar s(Shape.Type type) {
    return new Scalar(type, null);
  }

  static final Obj CSV = new Obj("csv source", "A CSV file with a header row; each row's record maps column names to"
      + " values.", List.of(req("path", s(STRING), "The CSV file."),
          opt("required_columns", new ListOf(s(STRING), 1), "Columns the header must have (compared without regard"
              + " to case): a file without one is refused before anything is planned (exit 2)."),
          opt("secret_columns", new ListOf(s(STRING), 1), "Columns whose values never leave the file (passwords):"
              + " left empty in the errors file (named in ferry_secret_omitted), *** in failure messages and in a dry"
              + " run's output.")),
      false);

  static final Obj JSONL = new Obj("jsonl source", "A JSON Lines file: one JSON object per line (nested fields"
      + " are reachable as row.a.b).", List.of(req("path", s(STRING), "The JSONL file."),
          opt("secret_columns", new ListOf(s(STRING), 1), "Fields whose values never leave the file (passwords);"
              + " a dotted path reaches a nested field (user.password, through arrays too): *** in the errors file's"
              + " record, in failure messages and in a dry run's output.")), false);

  static final Obj SQL = new Obj("sql source", "Rows of a SQL query over JDBC, read in pages by a declared key.",
      List.of(req("url", s(STRING), "JDBC URL (PostgreSQL, SQLite, MariaDB/MySQL) or postgres://, mysql:// URL;"
              + " credentials from parameters."),
          req("query", s(STRING), "A SELECT whose rows are the job's rows."),
          req("key", s(STRING), "A unique, ordered column of the query (integer or text): chunks are key ranges."),
          opt("user", s(STRING), "Database user (default: the URL's)."),
          opt("password", s(STRING), "Database password from a parameter (secret; default: the URL's)."),
          opt("secret_columns", new ListOf(s(STRING), 1), "Columns whose values never leave the database"
              + " (passwords): *** in the errors file's record, in failure messages and in a dry run's output.")),
      false);

  static final Obj SOURCE = new Obj("source", "Where the rows come from: exactly one of csv, jsonl, sql.",
      List.of(opt("csv", CSV, CSV.description()), opt("jsonl", JSONL, JSONL.description()),
          opt("sql", SQL, SQL.description())), true);

  static final Obj LIMIT = new Obj("limit", "One limit of a target: requests (or tokens) per window; a call must"
      + " pass every limit.",
      List.of(opt("requests", s(COUNT), "Requests (HTTP attempts) allowed per window."),
          opt("tokens", s(COUNT), "Tokens allowed per window, charged by a step's charge.tokens."),
          req("per", s(DURATION), "The window: 1s, 10s, 1m."),
          opt("smooth", s(BOOLEAN), "Requests only: spread them evenly (one every per/requests, a pace) instead of a"
              + " budget that may be spent at once within a window (default: false).")), false);

  /** A target's limits: a word, or a list of limits that all hold. */
  static final AnyOf LIMITS = new AnyOf(List.of(new OneOfWords(List.of("auto", "none")), new ListOf(LIMIT, 1)));
  /** Keys of {@code limits_by_host}: a host, or {@code *.domain} for every host under it. */
  static final String HOST_PATTERN = "^(\\*\\.)?[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$";

  static final Obj TARGET = new Obj("target", "An HTTP API the steps call.",
      List.of(req("base_url", s(STRING), "http(s) URL that step paths are relative to."),
          opt("headers", new MapOf(s(STRING), null, "header name"), "Headers sent with every request. Values are"
              + " secret: never logged, masked in a dry run; a credential must come from a parameter."),
          opt("limits", LIMITS, "'auto' (learned from 429s), 'none', or a list of limits that all hold (default:"
              + " none)."),
          opt("limits_by_host", new MapOf(LIMITS, HOST_PATTERN, "host"), "Limits by the base_url's host, the first"
              + " that matches in written order: a host (api.example.com) or all hosts under a domain"
              + " (*.example.com); limits holds for any other host."),
          opt("timeout", s(DURATION), "Per-request timeout (default: --request-timeout, 30s)."),
          opt("refused", new MapOf(s(STRING), "^(401|403)$", "status"), "The stop reason when the target refuses"
              + " the key (401) or its rights (403): what to check; {method} and {path} name the refused request"
              + " (default: ferry's own wording).")),
      false);

  static final Obj REQUEST = new Obj("request", "The HTTP request a step sends; strings are templates.",
      List.of(req("method", new OneOfWords(METHODS), "HTTP method."),
          req("path", s(TEMPLATE), "Path (and query) relative to the target's base_url."),
          opt("query", new MapOf(s(TEMPLATE), null, "query parameter"), "Query parameters, URL-encoded."),
          opt("headers", new MapOf(s(TEMPLATE), null, "header name"), "Headers of this step's requests."),
          opt("body", s(ANY), "JSON body: any YAML value; its strings are templates."),
          opt("omit_empty", s(BOOLEAN), "Leave out of the body's objects every field"
              + " that renders to null, '', [] or {} (default false).")), false);

  /** The parts of one HTTP call, shared by request steps, a lookup's find/create and an 'exists' rule's then. */
  static List<Field> callFields(boolean withOn) {
    List<Field> fields = new java.util.ArrayList<>(List.of(
        req("request", REQUEST, REQUEST.description()),
        opt("idempotency_key", s(TEMPLATE), "Sent as Idempotency-Key, the same on every retry and resume."),
        opt("capture", new MapOf(s(STRING), NAME_PATTERN, "result name"), "Results kept for later steps and the"
            + " results file: name -> path into the answer ($.data[0].id); absent -> null."),
        opt("charge", new MapOf(s(TEMPLATE), "^(requests|tokens)$", "limit unit"), "What one call costs against"
            + " the target's limits besides one request, e.g. tokens: \"{{ batch.weight }}\".")));
    if (withOn) fields.add(opt("on", new MapOf(new AnyOf(List.of(new OneOfWords(ACTIONS), THEN_RULE)),
        STATUS_PATTERN, "status"), "What a status means: ok, exists (done; {action: exists, then: CALL} reads"
        + " the existing item; {action: ..., codes: [..]} holds only for those error codes), final (the row fails),"
        + " retry, stop (the job). Default: 2xx ok, 401/403 stop, 408,"
        + " 429 and 5xx retry, other 4xx final."));
    return fields;
  }

  static final Obj THEN_CALL = new Obj("call", "A call whose answer supplies the captures of an existing item.",
      callFields(false), false);

  static final Obj THEN_RULE = new Obj("status rule", "A rule with conditions or a follow-up: only for some error"
      + " codes, and/or (for exists) a call that reads the existing item.",
      List.of(req("action", new OneOfWords(ACTIONS), "ok, exists, final, retry or stop."),
          opt("codes", new ListOf(s(STRING), 1), "The rule holds only when the answer's error code (code,"
              + " error.code, error.type or any errors[].code) is one of these; else the status's class rule or"
              + " the default applies."),
          opt("then", THEN_CALL, THEN_CALL.description() + " Only with exists."),
          opt("capture", new MapOf(s(STRING), NAME_PATTERN, "result name"), "With ok or exists (without then):"
              + " paths that read this answer instead of the call's capture paths, by name (a 409 holding the"
              + " existing id at $.conflict.existing_id); each name must be one the call captures."),
          opt("error", s(STRING), "The rule holds only when this path in the answer reads a value other than null,"
              + " false and '' (an API answering 200 with {\"success\": false, \"error\": {...}}: 2xx: {action:"
              + " final, error: $.error}); with codes, both must hold.")), false);

  static final Obj UNDO = new Obj("undo", "What removes the item this step created for the row when a later step"
      + " fails for good (e.g. DELETE the user whose membership failed); the row stays failed.",
      concat(List.of(opt("when", s(TEMPLATE), "Undo only when this renders true for the failed row (default:"
          + " always).")),
          callFields(true)), false);

  static final Obj CALL = new Obj("call", "One HTTP call: request, idempotency key, status rules, captures.",
      callFields(true), false);

  static final Obj NOT_FOUND = new Obj("not found", "The code and message of a row that fails because its key was"
      + " not found (and not created); default: not_found, \"step 'NAME': nothing found for key 'KEY'\".",
      List.of(req("code", new Scalar(STRING, NAME_PATTERN), "The failed row's code (errors file, ledger)."),
          opt("message", s(TEMPLATE), "The failed row's message, rendered for the row.")), false);

  static final Obj LOOKUP = new Obj("lookup", "Lookup-or-create by key, once per key for the whole job"
      + " (single-flight, cached in the job's store).",
      List.of(req("key", s(TEMPLATE), "The cache key per row; a row whose key renders '' skips the step."),
          opt("namespace", s(STRING), "The store's namespace for the cache (default: the step's name)."),
          req("find", CALL, "The call that finds an existing item; its first capture not null means found."),
          opt("create", CALL, "The call that creates a missing item (same capture names); without it, not"
              + " found fails the row."),
          opt("create_when", s(TEMPLATE), "Create only when this renders true for the row that found nothing"
              + " (default: always); false fails the row as not found."),
          opt("not_found", NOT_FOUND, NOT_FOUND.description()),
          opt("prewarm", s(BOOLEAN), "Find the keys the source holds when the job is planned, and resolve them"
              + " before the rows start (the run's concurrency, once per key), so rows never wait for one; the"
              + " lookup's templates then read no step (default false).")), false);

  static final Obj BATCH = new Obj("batch", "Send many rows in one call: a batch closes at max_items, max_bytes or"
      + " max_weight, or after linger.",
      List.of(req("max_items", s(COUNT), "Rows per call at most."),
          opt("max_bytes", s(COUNT), "Request body bytes per call at most."),
          opt("max_weight", s(COUNT), "Sum of the rows' weight per call at most."),
          opt("weight", s(TEMPLATE), "A row's weight, e.g. {{ tokens(row.content) }} (default 1)."),
          opt("linger", s(DURATION), "How long a batch waits for more rows (default 50ms).")), false);

  static final Obj MATCH = new Obj("match", "How an answer item finds its row: by index or by key.",
      List.of(opt("index", s(STRING), "Path of the item's 0-based index in the batch, e.g. $.index."),
          opt("key", s(STRING), "Path of the item's key, matched against row_key (default: the spec's key).")),
      true);

  static final Obj RESPONSE = new Obj("response", "How a batch answer maps back to its rows (default: the whole"
      + " answer is every row's).",
      List.of(req("items", s(STRING), "Path of the list of per-row answers, e.g. $.data."),
          opt("match", MATCH, "By index or key; default: the items are in the batch's order."),
          opt("row_key", s(TEMPLATE), "The row's key for match.key (default: the spec's key)."),
          opt("error", s(STRING), "Path in an item that, when not null, fails that row alone.")), false);

  static final Obj STEP = new Obj("step", "One HTTP call a row goes through (or a batch of rows), or a lookup.",
      concat(List.of(req("name", new Scalar(STRING, NAME_PATTERN), "The step's name: steps.NAME reads its results."),
          req("target", s(STRING), "The name of a target."),
          opt("when", s(TEMPLATE), "Run the step only when this renders true (false, null, '' are false)."),
          opt("reported_as", new Scalar(STRING, NAME_PATTERN), "The step name a row failing here carries in the"
              + " ledger, the errors file (ferry_step) and a stop reason (default: the step's name); steps may share"
              + " one.")),
          callFields(true).stream().map(f -> f.name().equals("request") ? opt("request", f.shape(),
              "The request (a request step); or give lookup.") : f).toList(),
          List.of(opt("batch", BATCH, BATCH.description()),
              opt("response", RESPONSE, RESPONSE.description()),
              opt("split_on", new ListOf(s(STATUS), 1), "Statuses that refuse a batch as a whole: it is split until"
                  + " the bad row fails alone (default 400, 413, 422)."),
              opt("lookup", LOOKUP, LOOKUP.description()),
              opt("undo", UNDO, UNDO.description()))), false);

  @SafeVarargs
  static <T> List<T> concat(List<T>... lists) {
    List<T> all = new java.util.ArrayList<>();
    for (List<T> l : lists) all.addAll(l);
    return List.copyOf(all);
  }

  static final Obj CHECK = new Obj("check", "A rule every row must pass before its steps: a row for which require"
      + " renders false (or cannot be rendered) is invalid; nothing is sent for it.",
      List.of(req("require", s(TEMPLATE), "The condition a valid row meets, e.g."
              + " \"{{ matches(row.email, '.+@.+') }}\"."),
          req("code", new Scalar(STRING, NAME_PATTERN), "The invalid row's code (errors file, ledger)."),
          opt("message", s(TEMPLATE), "The invalid row's message, rendered for the row.")), false);

  static final Obj TABLE = new Obj("table", "A lookup table from a CSV file with a header, read when the spec is"
      + " loaded: tables.NAME[key] is the value column of the row whose key column is key (null when none).",
      List.of(req("csv", s(STRING), "The CSV file ('' for an empty table, e.g. an unset ${ROLE_MAPPING:-})."),
          req("key", s(STRING), "The key column."),
          req("value", s(STRING), "The value column."),
          opt("value_pattern", s(STRING), "A regular expression every value must match (else the spec is refused,"
              + " naming the file and line).")), false);

  static final Obj UNIQUE = new Obj("unique", "A key no two rows may share, with the invalid rows' code and wording.",
      List.of(req("key", s(TEMPLATE), "The key, e.g. {{ trim(row.email) }}."),
          opt("code", new Scalar(STRING, NAME_PATTERN), "The invalid row's code (default: duplicate)."),
          opt("label", s(STRING), "What the key is, for the message: \"email X already appears on line N\""
              + " (default: the message quotes the key and names the unique template).")), false);

  /** A report counter: step.outcome terms added with +. */
  static final String COUNTER_PATTERN = "^\\s*[A-Za-z_][A-Za-z0-9_-]*\\.[a-z_]+"
      + "(\\s*\\+\\s*[A-Za-z_][A-Za-z0-9_-]*\\.[a-z_]+)*\\s*$";

  static final Obj JSONL_SINK = new Obj("jsonl sink", "A JSON Lines results file: one line per settled row, once.",
      List.of(req("path", s(STRING), "The results file (appended to on resume).")), false);

  static final Obj SQL_UPDATE_SINK = new Obj("sql_update sink", "UPDATE table SET column = value WHERE key = the"
      + " row's key, for each settled row (idempotent).",
      List.of(req("url", s(STRING), "JDBC URL (usually the source's); secret."),
          opt("user", s(STRING), "Database user (default: the URL's)."),
          opt("password", s(STRING), "Database password from a parameter (secret)."),
          req("table", s(STRING), "The table to update (name or schema.name)."),
          req("key", s(STRING), "The table's key column."),
          opt("key_field", s(STRING), "The row's field holding the key (default: key)."),
          req("set", new MapOf(s(STRING), NAME_PATTERN, "column"), "column: value path, in order: step.field..."
              + " into the row's results, or row.field into its record; absent -> NULL.")), false);

  static final Obj SINK = new Obj("sink", "Where each settled row's results are written: exactly one of jsonl,"
      + " sql_update.",
      List.of(opt("jsonl", JSONL_SINK, JSONL_SINK.description()),
          opt("sql_update", SQL_UPDATE_SINK, SQL_UPDATE_SINK.description())), true);

  /** The whole document. */
  static final Obj SPEC = new Obj("ferry job spec", "A ferry job: rows from a source through HTTP steps.",
      List.of(opt("version", new OneOfWords(List.of("1")), "The format's version: 1."),
          opt("name", s(STRING), "A short name for reports."),
          opt("description", s(STRING), "What the job does."),
          req("source", SOURCE, SOURCE.description()),
          req("targets", new MapOf(TARGET, NAME_PATTERN, "target name"), "The APIs the steps call, by name."),
          req("steps", new ListOf(STEP, 1), "What each row goes through, in order."),
          opt("key", s(TEMPLATE), "The row's business key (errors file, results): e.g. {{ row.id }}."),
          opt("chunk_size", s(COUNT), "Rows per chunk (default 1000)."),
          opt("vars", new MapOf(s(TEMPLATE), "^[A-Za-z_][A-Za-z0-9_]*$", "name"), "Values computed for each row, in"
              + " order,"
              + " before its checks and steps: vars.NAME in any later template (each may read row, job, source and"
              + " the vars above it)."),
          opt("tables", new MapOf(TABLE, "^[A-Za-z_][A-Za-z0-9_]*$", "name"), "Lookup tables from CSV files:"
              + " tables.NAME[key] in any template."),
          opt("checks", new ListOf(CHECK, 1), "Rules every row must pass before its steps, in order; the first that"
              + " fails makes the row invalid."),
          opt("unique", new AnyOf(List.of(s(TEMPLATE), UNIQUE)), "A key no two rows may share (compared ignoring"
              + " case and surrounding blanks), e.g. {{ row.email }}: a later row with an earlier row's key is"
              + " invalid, found when the job is planned; a row whose key renders '' is not compared. Or a mapping"
              + " with the key and the invalid rows' code and wording."),
          opt("report", new MapOf(new MapOf(new Scalar(STRING, COUNTER_PATTERN), NAME_PATTERN, "counter"),
              NAME_PATTERN, "group"), "Counters the report shows, by group, summed from what the steps did:"
              + " {users: {created: user.ok, existing: user.existing}} reports users created and existing (JSON:"
              + " users_created, users_existing). A term is step.outcome (ok, existing, created, cached, undone,"
              + " failed); terms are added with +."),
          opt("sink", SINK, SINK.description()),
          opt("secrets", new ListOf(new Scalar(STRING, PARAMETER_NAME_PATTERN), 1), "More parameters that hold"
              + " secrets (besides those in header values and names containing KEY, SECRET, TOKEN, PASSWORD):"
              + " never stored with the job, masked in output.")), false);

  // ------------------------------------------------------------------------------------------ ferry serve

  static final Obj SIGNATURE = new Obj("signature", "An HMAC-SHA256 signature of the raw body in a header, e.g."
      + " Firecrawl's X-Firecrawl-Signature: sha256=<hex>. A delivery without a valid one gets 401 and is not stored.",
      List.of(req("header", s(STRING), "The header holding the signature."),
          opt("prefix", s(STRING), "Text before the hex digest in the header, e.g. 'sha256=' (default none)."),
          req("secret", s(STRING), "The shared secret: from a parameter (${WEBHOOK_SECRET}); never stored or logged.")),
      false);

  static final Obj ROUTE = new Obj("route", "An ingest route: deliveries POSTed to path are verified, stored once by"
      + " their delivery id, and their items queued for the steps.",
      List.of(req("path", new Scalar(STRING, ROUTE_PATH_PATTERN), "The URL path, e.g. /webhooks/firecrawl."),
          opt("signature", SIGNATURE, SIGNATURE.description()),
          req("delivery_id", s(STRING), "Path of the delivery's id in the JSON body (e.g. $.webhookId), or"
              + " 'header:NAME' for a header: a redelivery with the same id is acknowledged, not stored again."),
          opt("items", s(STRING), "Path of the list of items in the body (e.g. $.data); each item (a JSON object)"
              + " is one row for the steps (row.markdown). Default: the whole body is one item."),
          opt("only", new MapOf(s(STRING), null, "path"), "Store only deliveries whose fields have these values"
              + " (e.g. {\"$.type\": crawl.page}); others are acknowledged and dropped.")), false);

  static final Obj SERVE = new Obj("serve", "How ferry serve takes deliveries and drains its queue.",
      List.of(req("routes", new ListOf(ROUTE, 1), "The ingest routes."),
          opt("queue", new Scalar(STRING, NAME_PATTERN), "The queue's name in the store (default: the spec's name,"
              + " else 'serve'); replicas sharing a store and a name share one queue."),
          opt("backlog", s(COUNT), "Unsettled items at which new deliveries get 503 + Retry-After (default 10000)."),
          opt("max_body", s(COUNT), "Bytes a delivery may have; 413 above (default 10485760)."),
          opt("concurrency", s(COUNT), "Items in flight at most (default 64); fewer when the queue holds fewer."),
          opt("lease", s(DURATION), "How long a claim lasts unless renewed (default 60s): a dead process's items"
              + " are claimed again after it."),
          opt("max_attempts", s(COUNT), "Claims of an item before a retryable failure fails it for good (default 5)."),
          opt("retry_after", s(DURATION), "The Retry-After of a 503 and the delay before a retryable item is"
              + " claimed again (default 5s)."),
          opt("admin_token", s(STRING), "A bearer token that GET /status, GET /failed, POST /failed/redrive and"
              + " /failed/drop then require: from a parameter (${ADMIN_TOKEN}); never stored or logged. Empty or"
              + " absent: none."),
          opt("dedupe_window", s(DURATION), "How long a delivery id is remembered (default 168h, a week): a"
              + " redelivery within it is acknowledged and not run again; a delivery older than it whose items are"
              + " all done is compacted away, and a redelivery after that is run again. At least 1m.")),
      false);

  /** A service spec ({@code ferry serve}): the job grammar's targets, steps and key, deliveries instead of a source. */
  static final Obj SERVICE = new Obj("ferry service spec", "A ferry service: deliveries from HTTP routes, queued in"
      + " the store, through HTTP steps.",
      List.of(opt("version", new OneOfWords(List.of("1")), "The format's version: 1."),
          opt("name", s(STRING), "A short name (the queue's default name)."),
          opt("description", s(STRING), "What the service does."),
          req("serve", SERVE, SERVE.description()),
          req("targets", new MapOf(TARGET, NAME_PATTERN, "target name"), "The APIs the steps call, by name."),
          req("steps", new ListOf(STEP, 1), "What each item goes through, in order."),
          opt("key", s(TEMPLATE), "The item's business key (failed list): e.g. {{ row.metadata.sourceURL }}."),
          opt("secrets", new ListOf(new Scalar(STRING, PARAMETER_NAME_PATTERN), 1), "More parameters that hold"
              + " secrets: never stored, masked in output.")), false);
}

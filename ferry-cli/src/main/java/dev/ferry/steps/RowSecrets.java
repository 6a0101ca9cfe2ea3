package dev.ferry.steps;

import dev.ferry.core.engine.RowInput;
import dev.ferry.http.SecretMask;
import dev.ferry.sources.CsvRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * What is secret for one row: the job's secrets (a spec's secret parameters) and the values of the row's secret
 * fields (a source's {@code secret_columns}). Gives each row's {@link SecretMask}, and in a dry run masks each
 * rendered request with the mask of the row it was rendered for. Threadsafe: the dry run's masks are kept by row
 * number in a concurrent map from the row's start to its end (a row runs once at a time in a process).
 */
final class RowSecrets {
  private final SecretMask job;
  private final SecretPaths fields;
  private final Map<Long, SecretMask> rendering = new ConcurrentHashMap<>();
  /** The secret fields as a CSV column's name matches them: the whole path, stripped, lower case. */
  private final Set<String> columnNames;
  /** The secret names' indexes in the CSV columns last seen; replaced whole (immutable), so a racy read is safe. */
  private SecretColumns secretColumns;
  /** Whether a dry run's rendered requests are watched ({@link #masking} given a consumer): else no row is kept. */
  private volatile boolean watched;

  private record SecretColumns(CsvRecord.Columns columns, int[] indexes) {}

  /**
   * @param job    the job's secrets
   * @param fields the record's secret fields (names, or dotted paths into a JSONL record)
   */
  RowSecrets(SecretMask job, Set<String> fields) {
    this.job = job;
    this.fields = SecretPaths.of(fields);
    Set<String> names = new java.util.HashSet<>();
    for (String f : fields) names.add(f.strip().toLowerCase(Locale.ROOT));
    this.columnNames = Set.copyOf(names);
  }

  /** The mask of {@code row}: the job's secrets and the row's secret fields' values. */
  SecretMask of(RowInput row) {
    if (fields.isEmpty() || row.record() == null) return job;
    if (row.record() instanceof CsvRecord csv) return job.and(secretValues(csv));
    return job.and(fields.values(row.record()));
  }

  /**
   * What {@link SecretPaths#values} finds in a CSV row (a column whose name is a secret field's whole name, dots
   * included; text values only), over the secret columns only: found once per header, read by index.
   */
  private List<String> secretValues(CsvRecord record) {
    SecretColumns s = secretColumns;
    if (s == null || s.columns() != record.columns()) {
      CsvRecord.Columns c = record.columns();
      List<Integer> at = new ArrayList<>();
      for (int i = 0; i < c.size(); i++) {
        if (columnNames.contains(c.name(i).strip().toLowerCase(Locale.ROOT))) at.add(i);
      }
      secretColumns = s = new SecretColumns(c, at.stream().mapToInt(Integer::intValue).toArray());
    }
    if (s.indexes().length == 0) return List.of();
    List<String> values = new ArrayList<>(s.indexes().length);
    for (int i : s.indexes()) {
      if (record.present(i) && record.valueAt(i) instanceof String v) values.add(v);
    }
    return values;
  }

  /** The row's requests are rendered with {@code mask} until {@link #ended}. */
  void started(long row, SecretMask mask) {
    if (watched && !mask.isEmpty()) rendering.put(row, mask);
  }

  void ended(long row) {
    if (watched) rendering.remove(row);
  }

  /** {@code out}, told each rendered request with its row's secrets (and the job's) masked; null stays null. */
  Consumer<RenderedRequest> masking(Consumer<RenderedRequest> out) {
    if (out == null) return null;
    watched = true; // before any row starts: the processor is built with this consumer
    return r -> {
      SecretMask m = rendering.getOrDefault(r.row(), job);
      if (m.isEmpty()) {
        out.accept(r);
        return;
      }
      List<String[]> headers = new ArrayList<>(r.headers().size());
      for (String[] h : r.headers()) headers.add(new String[] {h[0], m.mask(h[1])});
      out.accept(new RenderedRequest(r.row(), r.step(), r.target(), r.method(), m.mask(r.url()), headers,
          m.mask(r.body())));
    };
  }
}

package dev.ferry.steps;

import dev.ferry.core.engine.RowInput;
import dev.ferry.http.SecretMask;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * What is secret for one row: the job's secrets (a spec's secret parameters) and the values of the row's secret
 * fields (a CSV source's {@code secret_columns}). Gives each row's {@link SecretMask}, and in a dry run masks each
 * rendered request with the mask of the row it was rendered for. Threadsafe: the dry run's masks are kept by row
 * number in a concurrent map from the row's start to its end (a row runs once at a time in a process).
 */
final class RowSecrets {
  private final SecretMask job;
  private final Set<String> fields;
  private final Map<Long, SecretMask> rendering = new ConcurrentHashMap<>();

  /**
   * @param job    the job's secrets
   * @param fields the record's secret fields, lower case
   */
  RowSecrets(SecretMask job, Set<String> fields) {
    this.job = job;
    this.fields = Set.copyOf(fields);
  }

  /** The mask of {@code row}: the job's secrets and the row's secret fields' values. */
  SecretMask of(RowInput row) {
    if (fields.isEmpty() || row.record() == null) return job;
    List<String> values = new ArrayList<>();
    for (Map.Entry<String, Object> e : row.record().entrySet()) {
      if (e.getValue() instanceof String v && fields.contains(e.getKey().strip().toLowerCase(Locale.ROOT))) {
        values.add(v);
      }
    }
    return job.and(values);
  }

  /** The row's requests are rendered with {@code mask} until {@link #ended}. */
  void started(long row, SecretMask mask) {
    if (!mask.isEmpty()) rendering.put(row, mask);
  }

  void ended(long row) {
    rendering.remove(row);
  }

  /** {@code out}, told each rendered request with its row's secrets (and the job's) masked; null stays null. */
  Consumer<RenderedRequest> masking(Consumer<RenderedRequest> out) {
    if (out == null) return null;
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

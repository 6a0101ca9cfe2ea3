package dev.ferry.recipes.workos;

import dev.ferry.http.ApiResponse;
import dev.ferry.http.TargetUnusableException;

/**
 * The import's answer to a redirect: ferry never follows one, and an API that redirects one request redirects them
 * all (http for https, an old host, a path prefix missing from {@code --api-url}), so the job stops at once with no
 * row marked, resumable once {@code --api-url} is fixed, as a spec's job does (docs/GUARANTEES.md). Before, every row
 * failed for good, and {@code resume} did not send them again. Stateless.
 */
final class Redirects {
  private Redirects() {}

  /**
   * @return {@code r} when it is no redirect (a 304 is none: an answer to a conditional request)
   * @throws TargetUnusableException when it is one: the message names the step, the Location and {@code --api-url}
   */
  static ApiResponse refuse(ApiResponse r, String step) {
    int s = r.status();
    if (s < 300 || s >= 400 || s == 304) return r;
    String why = r.error() == null || r.error().isEmpty() ? "the target answered HTTP " + s + "; give the final"
        + " address as --api-url" : r.error();
    throw new TargetUnusableException("the API redirected " + step + ", so no row can get past it: " + why);
  }
}

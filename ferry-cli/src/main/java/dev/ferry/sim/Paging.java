package dev.ferry.sim;

import java.util.List;

/** The {@code ?limit=} of list calls: 1..100, default 10. The simulator returns no cursors. Stateless. */
final class Paging {
  static final int DEFAULT_LIMIT = 10;
  static final int MAX_LIMIT = 100;

  private Paging() {}

  /** @throws ApiError 422 when the limit is not a number in range */
  static int limit(SimRequest request) {
    String text = request.queryParameter("limit");
    if (text == null) {
      return DEFAULT_LIMIT;
    }
    try {
      int limit = Integer.parseInt(text);
      if (limit >= 1 && limit <= MAX_LIMIT) {
        return limit;
      }
    } catch (NumberFormatException e) {
      // falls through to the error
    }
    throw ApiError.validation(List.of(Fields.error("limit", "limit_invalid", "limit must be 1 to " + MAX_LIMIT + ".")));
  }
}

package dev.ferry.http;

/**
 * How much of an answer {@link Http1Connection} accepts, so that a hostile or broken server cannot make ferry
 * allocate without bound. Immutable.
 *
 * @param maxHeaderBytes the status line and headers together (each 1xx answer counted on its own), CRLFs included
 * @param maxBodyBytes   the body after de-chunking
 */
record Http1Limits(int maxHeaderBytes, int maxBodyBytes) {
  /** 64 KB of headers, 16 MB of body. */
  static final Http1Limits DEFAULT = new Http1Limits(64 * 1024, 16 * 1024 * 1024);

  Http1Limits {
    if (maxHeaderBytes < 256) throw new IllegalArgumentException("maxHeaderBytes must be >= 256");
    if (maxBodyBytes < 0) throw new IllegalArgumentException("maxBodyBytes must be >= 0");
  }
}

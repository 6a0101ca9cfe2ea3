package dev.ferry.sim;

/**
 * The APIs the simulator speaks. Each has its own keys, limits and error shape; the shared pipeline (latency,
 * faults, serialised section) is the same for all. Only WorkOS routes pass the WorkOS key check, rate limits and
 * idempotency cache; the others check their own key and limits in their endpoints. Immutable.
 */
enum Family {
  /** WorkOS: {@code Authorization: Bearer sk_…}, the read/write rate limits, {@code {"code","message"}} errors. */
  WORKOS,
  /** OpenAI: {@code Authorization: Bearer}, RPM/TPM, {@code {"error":{"message","type","param","code"}}} errors. */
  OPENAI,
  /** Qdrant: {@code api-key}, no limits, {@code {"status":{"error"},"time"}} errors. */
  QDRANT;

  /**
   * The answer in this API's error shape: the pipeline's own errors (injected 5xx and 504, 413) are written as
   * WorkOS errors and are rewritten here; any other answer is returned as it is.
   */
  ApiResponse dialect(ApiResponse response) {
    if (this == WORKOS || !(response.body() instanceof ErrorBody e)) {
      return response;
    }
    Body body = this == OPENAI
        ? new OpenAiError(e.message(), response.status() >= 500 ? "server_error" : "invalid_request_error", null, e.code())
        : new QdrantBody.Error(e.message(), 0);
    return new ApiResponse(response.status(), body, response.headers());
  }
}

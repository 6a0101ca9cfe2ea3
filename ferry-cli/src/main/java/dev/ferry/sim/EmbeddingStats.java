package dev.ferry.sim;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;

/**
 * The embeddings endpoint's counters in a {@link SimStats} snapshot ({@code "embeddings"} in {@code /__stats}).
 * Immutable.
 *
 * @param requests calls to {@code POST /v1/embeddings}, whatever their answer
 * @param succeeded calls answered 200
 * @param inputs inputs embedded (in 200 answers)
 * @param tokens tokens embedded (in 200 answers): what the account was charged
 * @param rateLimitedRequests 429s for the RPM limit (type {@code requests})
 * @param rateLimitedTokens 429s for the TPM limit (type {@code tokens})
 * @param insufficientQuota 429s with code {@code insufficient_quota}
 * @param invalid 400s (bad body, too many inputs or tokens, an input over the context)
 * @param unauthorized 401s
 */
public record EmbeddingStats(long requests, long succeeded, long inputs, long tokens, long rateLimitedRequests,
    long rateLimitedTokens, long insufficientQuota, long invalid, long unauthorized) {

  static final EmbeddingStats NONE = new EmbeddingStats(0, 0, 0, 0, 0, 0, 0, 0, 0);

  void write(JsonGenerator g) throws IOException {
    g.writeObjectFieldStart("embeddings");
    g.writeNumberField("requests", requests);
    g.writeNumberField("succeeded", succeeded);
    g.writeNumberField("inputs", inputs);
    g.writeNumberField("tokens", tokens);
    g.writeNumberField("rate_limited_requests", rateLimitedRequests);
    g.writeNumberField("rate_limited_tokens", rateLimitedTokens);
    g.writeNumberField("insufficient_quota", insufficientQuota);
    g.writeNumberField("invalid", invalid);
    g.writeNumberField("unauthorized", unauthorized);
    g.writeEndObject();
  }

  static EmbeddingStats read(JsonNode n) {
    return new EmbeddingStats(n.path("requests").asLong(), n.path("succeeded").asLong(), n.path("inputs").asLong(),
        n.path("tokens").asLong(), n.path("rate_limited_requests").asLong(), n.path("rate_limited_tokens").asLong(),
        n.path("insufficient_quota").asLong(), n.path("invalid").asLong(), n.path("unauthorized").asLong());
  }
}

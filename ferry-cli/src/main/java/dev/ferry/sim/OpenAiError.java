package dev.ferry.sim;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;

/**
 * An OpenAI error answer: {@code {"error":{"message","type","param","code"}}}. Immutable.
 *
 * @param type {@code invalid_request_error}, {@code requests}, {@code tokens}, {@code insufficient_quota}, ...
 * @param param the offending parameter, or null
 * @param code a machine-readable code ({@code rate_limit_exceeded}, {@code invalid_api_key}, ...), or null
 */
record OpenAiError(String message, String type, String param, String code) implements JsonBody {

  /** 400 {@code invalid_request_error}, thrown by request parsing. */
  static ApiError invalidRequest(String message, String param, String code) {
    return new ApiError(new ApiResponse(400, new OpenAiError(message, "invalid_request_error", param, code)));
  }

  @Override
  public void write(JsonGenerator g) throws IOException {
    g.writeStartObject();
    g.writeObjectFieldStart("error");
    g.writeStringField("message", message);
    g.writeStringField("type", type);
    g.writeStringField("param", param);
    g.writeStringField("code", code);
    g.writeEndObject();
    g.writeEndObject();
  }
}

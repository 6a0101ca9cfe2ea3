package dev.ferry.sim;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.core.limit.TokenEstimate;
import java.util.ArrayList;
import java.util.List;

/**
 * A validated {@code POST /v1/embeddings} body. Immutable.
 *
 * @param inputs the texts, in request order (a single string is a list of one)
 * @param totalTokens the sum of the inputs' tokens ({@link TokenEstimate}): what the request is charged
 * @param dimensions the vector length: the request's {@code dimensions}, else the configured one
 * @param base64 whether {@code encoding_format} is {@code base64}
 */
record EmbeddingsRequest(String model, List<String> inputs, long totalTokens, int dimensions, boolean base64) {

  private static final String INPUT_INVALID =
      "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.";

  EmbeddingsRequest {
    inputs = List.copyOf(inputs);
  }

  /**
   * Parses and validates a body as OpenAI does: any fault fails the whole request.
   *
   * @throws ApiError 400 {@code invalid_request_error} naming what is wrong
   */
  static EmbeddingsRequest parse(byte[] body, EmbeddingsSettings settings) {
    JsonNode root;
    try {
      root = SimJson.parseObject(body);
    } catch (ApiError e) {
      throw OpenAiError.invalidRequest("We could not parse the JSON body of your request. (HINT: This likely means"
          + " you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload.)", null, null);
    }
    JsonNode model = root.get("model");
    if (model == null || !model.isTextual() || model.asText().isBlank()) {
      throw OpenAiError.invalidRequest("you must provide a model parameter", null, null);
    }
    List<String> inputs = inputs(root.get("input"));
    if (inputs.size() > settings.maxInputs()) {
      throw OpenAiError.invalidRequest("Too many inputs. The max number of inputs is " + settings.maxInputs()
          + ". We recommend reducing the number of inputs.", "input", null);
    }
    long total = 0;
    for (String input : inputs) {
      long tokens = TokenEstimate.of(input);
      if (tokens > settings.contextTokens()) {
        throw OpenAiError.invalidRequest("This model's maximum context length is " + settings.contextTokens()
            + " tokens, however you requested " + tokens + " tokens (" + tokens
            + " in your prompt; 0 for the completion). Please reduce your prompt; or completion length.", null, null);
      }
      total += tokens;
    }
    if (total > settings.maxRequestTokens()) {
      throw OpenAiError.invalidRequest("Requested " + total + " tokens, max " + settings.maxRequestTokens()
          + " tokens per request", "input", "max_tokens_per_request");
    }
    return new EmbeddingsRequest(model.asText(), inputs, total, dimensions(root.get("dimensions"), settings),
        base64(root.get("encoding_format")));
  }

  private static List<String> inputs(JsonNode input) {
    if (input == null || input.isNull()) {
      throw OpenAiError.invalidRequest("you must provide an input parameter", "input", null);
    }
    if (input.isTextual()) {
      return List.of(text(input));
    }
    if (!input.isArray() || input.isEmpty()) {
      throw OpenAiError.invalidRequest(INPUT_INVALID, "input", null);
    }
    List<String> texts = new ArrayList<>(input.size());
    for (JsonNode item : input) {
      if (!item.isTextual()) {
        throw OpenAiError.invalidRequest(INPUT_INVALID + " (The simulator takes strings only, not token arrays.)",
            "input", null);
      }
      texts.add(text(item));
    }
    return texts;
  }

  private static String text(JsonNode item) {
    if (item.asText().isEmpty()) {
      throw OpenAiError.invalidRequest(INPUT_INVALID, "input", null);
    }
    return item.asText();
  }

  private static int dimensions(JsonNode node, EmbeddingsSettings settings) {
    if (node == null || node.isNull()) {
      return settings.dimensions();
    }
    if (!node.isIntegralNumber() || !node.canConvertToInt() || node.asInt() < 1
        || node.asInt() > EmbeddingsSettings.MAX_DIMENSIONS) {
      throw OpenAiError.invalidRequest("Invalid value for 'dimensions' = " + node + ". Must be an integer between 1 and "
          + EmbeddingsSettings.MAX_DIMENSIONS + ".", "dimensions", "invalid_value");
    }
    return node.asInt();
  }

  private static boolean base64(JsonNode node) {
    if (node == null || node.isNull() || "float".equals(node.asText(null))) {
      return false;
    }
    if ("base64".equals(node.asText(null)) && node.isTextual()) {
      return true;
    }
    throw OpenAiError.invalidRequest("Invalid value for 'encoding_format' = " + node
        + ". Supported values are: 'float' and 'base64'.", "encoding_format", "invalid_value");
  }
}

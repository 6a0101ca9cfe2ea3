package dev.ferry.sim;

import java.util.List;

/** Thrown by endpoint and store code to answer with an error; carries the whole answer. No stack trace. */
final class ApiError extends RuntimeException {
  private final transient ApiResponse response;

  ApiError(ApiResponse response) {
    super(response.body() instanceof ErrorBody e ? e.code() : "error", null, false, false);
    this.response = response;
  }

  ApiError(int status, String code, String message) {
    this(ApiResponse.error(status, code, message));
  }

  ApiResponse response() {
    return response;
  }

  static ApiError notFound(String entity, String id) {
    return new ApiError(404, "entity_not_found", entity + " not found: '" + id + "'.");
  }

  static ApiError badRequest(String code, String message) {
    return new ApiError(400, code, message);
  }

  /** 422 {@code invalid_request_parameters} listing every field error. */
  static ApiError validation(List<ErrorBody.FieldError> errors) {
    return new ApiError(new ApiResponse(422,
        new ErrorBody("invalid_request_parameters", "Validation failed.", errors)));
  }
}

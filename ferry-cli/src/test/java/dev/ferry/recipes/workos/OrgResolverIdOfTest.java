package dev.ferry.recipes.workos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.http.ApiResponse;
import org.junit.jupiter.api.Test;

class OrgResolverIdOfTest {
  private static ApiResponse answer(String body) {
    return new ApiResponse(201, body, "req_1", 1, false, "");
  }

  @Test
  void readsTheTopLevelId() {
    // Given an answer whose nested objects carry ids of their own
    String body = "{\"object\":\"user\",\"metadata\":{\"id\":\"nested\"},\"roles\":[{\"id\":\"r\"}],\"id\":\"user_01\","
        + "\"email\":\"a@b.co\"}";
    // When / Then
    assertThat(OrgResolver.idOf(answer(body))).isEqualTo("user_01");
  }

  @Test
  void refusesAnAnswerWithoutAnId() {
    assertThatThrownBy(() -> OrgResolver.idOf(answer("{\"object\":\"user\",\"id\":null}")))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("HTTP 201");
    assertThatThrownBy(() -> OrgResolver.idOf(answer("{\"object\":\"user\"}")))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> OrgResolver.idOf(answer("[{\"id\":\"x\"}]")))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> OrgResolver.idOf(answer("not json")))
        .isInstanceOf(IllegalStateException.class);
  }
}

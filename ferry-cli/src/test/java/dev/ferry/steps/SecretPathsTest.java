package dev.ferry.steps;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** secret_columns as names, dotted paths (through arrays) and names that hold dots. */
class SecretPathsTest {
  private static final Map<String, Object> RECORD = Map.of("Password", "top-secret", "user",
      Map.of("password", "nested-secret", "name", "Ada"), "users", List.of(Map.of("password", "in-array-1"),
          Map.of("password", 12345678L)), "a.b", "dotted-name");

  @Test
  void namesPathsArraysAndDottedNamesGiveTheirValues() {
    SecretPaths p = SecretPaths.of(Set.of("password", "user.password", "users.password", "a.b"));
    assertThat(p.values(RECORD)).containsExactlyInAnyOrder("top-secret", "nested-secret", "in-array-1", "12345678",
        "dotted-name");
    assertThat(p.names()).containsExactlyInAnyOrder("password", "b");
  }

  @Test
  void maskedCopiesTheRecordWithEachSecretAsStars() {
    SecretPaths p = SecretPaths.of(Set.of("password", "user.password", "users.password", "a.b"));
    Map<String, Object> m = p.masked(RECORD);
    assertThat(m.toString()).doesNotContain("secret", "in-array", "12345678", "dotted-name").contains("Ada");
    assertThat(m.get("Password")).isEqualTo("***");
    assertThat(RECORD.get("Password")).isEqualTo("top-secret");
    assertThat(SecretPaths.NONE.masked(RECORD)).isSameAs(RECORD);
  }

  @Test
  void presentNamesThePathsARecordHoldsAValueAt() {
    SecretPaths p = SecretPaths.of(Set.of("password", "user.password", "users.password", "a.b", "missing",
        "user.hash"));
    assertThat(p.present(RECORD)).containsExactly("a.b", "password", "user.password", "users.password");
    Map<String, Object> sparse = new java.util.HashMap<>(Map.of("user", Map.of("name", "Ada")));
    sparse.put("password", null);
    assertThat(p.present(sparse)).as("a null or absent secret is nothing omitted").isEmpty();
    assertThat(SecretPaths.NONE.present(RECORD)).isEmpty();
  }
}

package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.core.spi.JobStore;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two jobs started in the same second without --job-id, and a plan that another process holds. */
class DefaultJobIdsTest {
  private static final LocalDateTime AT = LocalDateTime.of(2026, 12, 7, 19, 17, 0);

  @TempDir
  Path dir;

  @Test
  void aFreeSecondGivesThePlainId() {
    assertThat(DefaultJobIds.next("run", AT, id -> false)).isEqualTo("run-20261207-191700");
  }

  @Test
  void aTakenIdGetsTheFirstFreeSuffix() {
    Set<String> taken = Set.of("run-20261207-191700", "run-20261207-191700-2");
    assertThat(DefaultJobIds.next("run", AT, taken::contains)).isEqualTo("run-20261207-191700-3");
  }

  @Test
  void aJobPlannedUnderAnotherProcesssLockIsNeitherLookedUpNorDeleted() throws Exception {
    // Given: the job's lock held elsewhere (another ferry process planning it), and a store that must not be touched
    StateDir state = StateDir.of(dir, null, Map.of());
    JobStore untouched = (JobStore) Proxy.newProxyInstance(JobStore.class.getClassLoader(),
        new Class<?>[] {JobStore.class}, (proxy, method, args) -> {
          throw new AssertionError("the store was used before the job's lock was taken: " + method.getName());
        });
    try (AutoCloseable held = state.lockJob("j1")) {
      // When / Then: refused as running, the other process's plan left alone (it was deleted as a crashed one)
      assertThatThrownBy(() -> JobSession.planNew(state, untouched, "j1", null, () -> {
        throw new AssertionError("planned twice");
      })).isInstanceOf(ExitException.class).hasMessageContaining("is running in another ferry process");
    }
  }
}

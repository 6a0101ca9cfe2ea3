package dev.ferry.core.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link JobStore#openChunks}'s default, read from {@link JobStore#chunks} (the SQL stores answer it with one query of
 * their own, checked by {@link JobStoreContractTest}), against a store that knows nothing but its chunks.
 */
class OpenChunksDefaultTest {

  private static JobStore storeOf(List<ChunkRecord> chunks) {
    InvocationHandler handler = (proxy, method, args) -> {
      if (method.getName().equals("chunks")) return chunks;
      if (method.isDefault()) return InvocationHandler.invokeDefault(proxy, method, args);
      throw new UnsupportedOperationException(method.getName());
    };
    return (JobStore) Proxy.newProxyInstance(JobStore.class.getClassLoader(), new Class<?>[] {JobStore.class},
        handler);
  }

  private static ChunkRecord chunk(int index, ChunkState state, String owner, long expiry) {
    return new ChunkRecord(new ChunkSpec(index, 0, 1, 1, 10), state, owner, expiry);
  }

  @Test
  void countsPendingChunksAndTheLeasesOfOtherProcessesOnly() {
    // Given
    JobStore store = storeOf(List.of(chunk(0, ChunkState.DONE, "", 0), chunk(1, ChunkState.LEASED, "p1/w0", 500),
        chunk(2, ChunkState.LEASED, "p2/w0", 300), chunk(3, ChunkState.LEASED, "p3/w3", 900),
        chunk(4, ChunkState.PENDING, "", 0)));

    // When / Then
    assertThat(store.openChunks("j", "p1/")).isEqualTo(new OpenChunks(1, 2, 300, 900));
    assertThat(store.openChunks("j", "")).isEqualTo(new OpenChunks(1, 3, 300, 900));
    assertThat(storeOf(List.of(chunk(0, ChunkState.DONE, "", 0), chunk(1, ChunkState.LEASED, "p1/w0", 5)))
        .openChunks("j", "p1/")).isEqualTo(OpenChunks.NONE);
  }

  @Test
  void aSpanWithoutHeldChunksIsRefused() {
    assertThatThrownBy(() -> new OpenChunks(1, 0, 5, 5)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new OpenChunks(0, 1, 6, 5)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new OpenChunks(-1, 0, 0, 0)).isInstanceOf(IllegalArgumentException.class);
  }
}

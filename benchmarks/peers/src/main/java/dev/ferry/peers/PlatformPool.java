package dev.ferry.peers;

import java.io.BufferedReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The classic: {@code Executors.newFixedThreadPool(concurrency)} of platform threads, one task per line, each a
 * blocking {@code HttpClient.send}; the shared pacing limiter when {@code --rate} is given. The task queue is
 * the executor's unbounded one, as most such scripts leave it.
 *
 * <p>{@code java -cp ferry-peers-all.jar dev.ferry.peers.PlatformPool --csv F --url U --concurrency N [--rate R]}
 */
public final class PlatformPool {
  private PlatformPool() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> flags = PeerSupport.flags(args);
    int threads = Integer.parseInt(flags.get("concurrency"));
    URI uri = URI.create(flags.get("url") + PeerSupport.PATH);
    String key = PeerSupport.apiKey();
    PeerSupport.Pacer pacer = new PeerSupport.Pacer(PeerSupport.rate(flags));
    PeerSupport.Counters counters = new PeerSupport.Counters();
    long start = System.nanoTime();
    long rows = 0;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try (HttpClient client = PeerSupport.client();
        BufferedReader in = Files.newBufferedReader(Path.of(flags.get("csv")), StandardCharsets.UTF_8)) {
      in.readLine(); // header
      String line;
      while ((line = in.readLine()) != null) {
        if (line.isEmpty()) continue;
        String l = line;
        rows++;
        pool.execute(() -> {
          try {
            PeerSupport.post(client, uri, key, PeerSupport.jsonOfLine(l), pacer, counters);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
      }
      pool.shutdown();
      if (!pool.awaitTermination(1, TimeUnit.HOURS)) throw new IllegalStateException("pool did not finish");
    }
    PeerSupport.report("platform-pool", rows, start, counters);
  }
}

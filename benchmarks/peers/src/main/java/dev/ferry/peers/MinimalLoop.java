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
import java.util.concurrent.Semaphore;

/**
 * The floor: read a line, take a permit of a {@link Semaphore} of {@code --concurrency}, POST it from a virtual
 * thread with the JDK {@link HttpClient}; a pacing limiter when {@code --rate} is given. No ledger, no retry of
 * anything but 429, no validation. {@code --idempotency-keys true} adds an {@code Idempotency-Key} per row, as
 * ferry sends (a control: it makes the server do the same work for both).
 *
 * <p>{@code java -cp ferry-peers-all.jar dev.ferry.peers.MinimalLoop --csv F --url U --concurrency N [--rate R]
 * [--idempotency-keys true]}
 */
public final class MinimalLoop {
  private MinimalLoop() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> flags = PeerSupport.flags(args);
    int concurrency = Integer.parseInt(flags.get("concurrency"));
    URI uri = URI.create(flags.get("url") + PeerSupport.PATH);
    String key = PeerSupport.apiKey();
    PeerSupport.Pacer pacer = new PeerSupport.Pacer(PeerSupport.rate(flags));
    PeerSupport.Counters counters = new PeerSupport.Counters();
    Semaphore inFlight = new Semaphore(concurrency);
    boolean keys = Boolean.parseBoolean(flags.getOrDefault("idempotency-keys", "false"));
    long start = System.nanoTime();
    long rows = 0;
    try (HttpClient client = PeerSupport.client();
        ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
        BufferedReader in = Files.newBufferedReader(Path.of(flags.get("csv")), StandardCharsets.UTF_8)) {
      in.readLine(); // header
      String line;
      while ((line = in.readLine()) != null) {
        if (line.isEmpty()) continue;
        String body = PeerSupport.jsonOfLine(line);
        inFlight.acquire();
        rows++;
        String idempotencyKey = keys ? "minimal-" + rows + "-user" : null;
        threads.execute(() -> {
          try {
            PeerSupport.post(client, uri, key, body, idempotencyKey, pacer, counters);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          } finally {
            inFlight.release();
          }
        });
      }
      inFlight.acquire(concurrency);
    }
    PeerSupport.report(keys ? "minimal-loop+keys" : "minimal-loop", rows, start, counters);
  }
}

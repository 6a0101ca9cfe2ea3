package dev.ferry.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.time.Ticker;
import dev.ferry.core.time.WallClock;
import dev.ferry.spec.ServeConfig;
import dev.ferry.steps.template.JsonPath;
import dev.ferry.steps.template.SpecLocation;
import dev.ferry.store.SqlWorkQueue;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The front's memory bound: deliveries being read at once are capped; the rest get 503 + Retry-After at once. */
class ServiceHttpTest {
  @TempDir
  Path dir;

  @Test
  void atMostSoManyBodiesAreReadAtOnce() throws Exception {
    ServeConfig.Route route = new ServeConfig.Route("/in", null, JsonPath.parse("$.id", new SpecLocation("t", 1, 1)),
        null, null, Map.of());
    List<Socket> slow = new ArrayList<>();
    try (SqlWorkQueue queue = SqlWorkQueue.open(dir.resolve("ferry.db").toString(), "q");
        ServiceHttp http = new ServiceHttp(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
            Map.of("/in", new Ingest(route, queue, WallClock.system(), 100, 7, new ItemRates(Ticker.system()))), queue,
            1000, 7, () -> false,
            () -> "", () -> Map.of("queue", "q"), () -> 0L, null)) {
      int port = http.address().getPort();
      // senders that never finish their bodies hold every reading slot
      for (int i = 0; i < ServiceHttp.MAX_BODIES_IN_MEMORY; i++) {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
        slow.add(s);
        OutputStream out = s.getOutputStream();
        out.write(("POST /in HTTP/1.1\r\nHost: x\r\nContent-Length: 900\r\n\r\n{\"id\":").getBytes(StandardCharsets.UTF_8));
        out.flush();
      }
      HttpClient client = HttpClient.newHttpClient();
      HttpRequest one = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/in"))
          .POST(HttpRequest.BodyPublishers.ofString("{\"id\":\"a\"}")).build();
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (http.bodiesBeingRead() < ServiceHttp.MAX_BODIES_IN_MEMORY && System.nanoTime() < deadline) {
        Thread.sleep(10); // the slow senders' handlers are still starting
      }
      HttpResponse<String> refused = client.send(one, HttpResponse.BodyHandlers.ofString());
      assertThat(refused.statusCode()).as("a delivery past the cap is refused").isEqualTo(503);
      assertThat(refused.body()).contains("too many deliveries at once");
      assertThat(refused.headers().firstValue("Retry-After")).hasValue("7");
      assertThat(queue.stats(0).pending()).isZero();
      for (Socket s : slow) s.close();
      slow.clear();
      deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (http.bodiesBeingRead() > 0 && System.nanoTime() < deadline) {
        Thread.sleep(10); // the closed senders' handlers give their slots back
      }
      assertThat(client.send(one, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(202);
    } finally {
      for (Socket s : slow) s.close();
    }
  }

  @Test
  void withAnAdminTokenTheAdminRoutesNeedItAndTheRestDoNot() throws Exception {
    String token = "adm-" + System.nanoTime();
    try (SqlWorkQueue queue = SqlWorkQueue.open(dir.resolve("ferry.db").toString(), "q");
        ServiceHttp http = new ServiceHttp(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), Map.of(), queue,
            1000, 7, () -> false, () -> "# metrics", () -> Map.of("queue", "q"), () -> 0L, token);
        HttpClient client = HttpClient.newHttpClient()) {
      String base = "http://127.0.0.1:" + http.address().getPort();
      for (String route : List.of("GET /status", "GET /failed", "POST /failed/redrive", "POST /failed/drop")) {
        String[] mr = route.split(" ");
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + mr[1]))
            .method(mr[0], HttpRequest.BodyPublishers.noBody());
        HttpResponse<String> none = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> wrong = client.send(b.copy().header("Authorization", "Bearer " + token + "x").build(),
            HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> right = client.send(b.copy().header("Authorization", "Bearer " + token).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(none.statusCode()).as(route).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
        assertThat(none.body()).doesNotContain(token);
        assertThat(wrong.statusCode()).as(route).isEqualTo(401);
        assertThat(right.statusCode()).as(route).isEqualTo(200);
      }
      // a failed item is dropped for good by POST /failed/drop
      queue.offer("d1", List.of("{}"), 0, 10);
      queue.claim("p", 1, 0, 1000).forEach(i -> queue.fail(i.id(), "p", "gave up", 1));
      HttpResponse<String> dropped = client.send(HttpRequest.newBuilder(URI.create(base + "/failed/drop"))
          .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.noBody()).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(dropped.body()).isEqualTo("{\"dropped\":1}");
      assertThat(queue.failed(10)).isEmpty();
      for (String open : List.of("/healthz", "/readyz", "/metrics")) {
        assertThat(client.send(HttpRequest.newBuilder(URI.create(base + open)).build(),
            HttpResponse.BodyHandlers.ofString()).statusCode()).as(open).isEqualTo(200);
      }
    }
  }
}

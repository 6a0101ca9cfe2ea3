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
            () -> "", () -> Map.of("queue", "q"), () -> 0L)) {
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
      HttpResponse<String> refused = null;
      for (int attempt = 0; attempt < 500 && refused == null; attempt++) {
        HttpResponse<String> r = client.send(one, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 503) refused = r;
        else Thread.sleep(10); // the slow senders' handlers are still starting
      }
      assertThat(refused).as("a delivery past the cap is refused").isNotNull();
      assertThat(refused.body()).contains("too many deliveries at once");
      assertThat(refused.headers().firstValue("Retry-After")).hasValue("7");
      assertThat(queue.stats(0).pending()).isZero();
      for (Socket s : slow) s.close();
      slow.clear();
      int status = 0;
      for (int attempt = 0; attempt < 500 && status != 202; attempt++) {
        status = client.send(one, HttpResponse.BodyHandlers.ofString()).statusCode();
        if (status != 202) Thread.sleep(10); // the closed senders' handlers give their slots back
      }
      assertThat(status).isEqualTo(202);
    } finally {
      for (Socket s : slow) s.close();
    }
  }
}

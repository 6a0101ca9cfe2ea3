package dev.ferry.sim;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** A simulator with the default settings and a client for it, fresh for each test; closed after it. */
abstract class DefaultSimTest {
  protected SimServer server;
  protected SimTestClient client;

  @BeforeEach
  void startSimulator() {
    server = SimServer.start(SimConfig.builder().build());
    client = new SimTestClient(server);
  }

  @AfterEach
  void stopSimulator() {
    client.close();
    server.close();
  }
}

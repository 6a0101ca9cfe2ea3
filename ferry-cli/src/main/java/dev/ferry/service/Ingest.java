package dev.ferry.service;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.core.spi.StoreException;
import dev.ferry.core.time.WallClock;
import dev.ferry.spec.ServeConfig;
import dev.ferry.steps.template.JsonPath;
import dev.ferry.store.WorkQueue;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import dev.ferry.json.PooledJson;

/**
 * What one route does with a delivery: verify its signature, read its delivery id and items, and commit it to the
 * queue; the answer says what happened. Nothing is acknowledged (2xx) before the queue committed it. Threadsafe.
 */
final class Ingest {
  private static final Logger log = LoggerFactory.getLogger(Ingest.class);
  private static final ObjectMapper JSON = new ObjectMapper(PooledJson.factory());

  /** The HTTP answer to a delivery. {@code retryAfterSeconds} is sent as Retry-After when above 0. */
  record Answer(int status, String text, long retryAfterSeconds) {}

  private final ServeConfig.Route route;
  private final SignatureCheck signature;
  private final WorkQueue queue;
  private final WallClock clock;
  private final long backlog;
  private final long retryAfterSeconds;
  private final ItemRates rates;

  /** @param rates where stored items are counted as received */
  Ingest(ServeConfig.Route route, WorkQueue queue, WallClock clock, long backlog, long retryAfterSeconds,
      ItemRates rates) {
    this.route = route;
    this.signature = route.signature() == null ? null : new SignatureCheck(route.signature());
    this.queue = queue;
    this.clock = clock;
    this.backlog = backlog;
    this.retryAfterSeconds = retryAfterSeconds;
    this.rates = rates;
  }

  /** @param header a request header's value by name, or null */
  Answer accept(byte[] body, Function<String, String> header) {
    if (signature != null && !signature.valid(body, header.apply(signature.header()))) {
      return new Answer(401, "bad or missing signature in " + signature.header(), 0);
    }
    Object tree;
    try {
      tree = JSON.readValue(body, Object.class);
    } catch (java.io.IOException e) {
      return new Answer(400, "the body is not JSON", 0);
    }
    for (Map.Entry<JsonPath, String> only : route.only().entrySet()) {
      Object v = only.getKey().read(tree);
      if (v == null || !String.valueOf(v).equals(only.getValue())) {
        return new Answer(200, "ignored: " + only.getKey().source() + " is not " + only.getValue(), 0);
      }
    }
    String id = route.deliveryHeader() != null ? header.apply(route.deliveryHeader())
        : text(route.deliveryId().read(tree));
    if (id == null || id.isBlank()) {
      return new Answer(400, "no delivery id at " + (route.deliveryHeader() != null ? "header "
          + route.deliveryHeader() : route.deliveryId().source()), 0);
    }
    List<String> items = new ArrayList<>();
    Object found = route.items() == null ? tree : route.items().read(tree);
    if (found == null) {
      // a body without the items' path (a typo in the spec's items, another event's shape) is not acknowledged as
      // "0 items": the sender sees the refusal, and redelivers once the spec is fixed; [] is a delivery of none
      return new Answer(400, route.items() == null ? "the body is null: not stored"
          : "no items at " + route.items().source() + " (the route's items): not stored", 0);
    }
    List<?> list = found instanceof List<?> l ? l : List.of(found);
    try {
      for (Object item : list) {
        if (!(item instanceof Map<?, ?>)) return new Answer(400, "an item is not a JSON object", 0);
        items.add(JSON.writeValueAsString(item));
      }
    } catch (JacksonException e) {
      return new Answer(400, "an item cannot be written as JSON", 0);
    }
    WorkQueue.Offer offer;
    try {
      offer = queue.offer(route.path() + " " + id, items, clock.millis(), backlog);
    } catch (StoreException | IllegalStateException e) {
      log.warn("delivery not stored: {}", e.getMessage());
      return new Answer(503, "the queue cannot store the delivery now", retryAfterSeconds);
    }
    if (offer == WorkQueue.Offer.STORED) rates.add(ItemRates.Kind.RECEIVED, items.size());
    return switch (offer) {
      case STORED -> new Answer(202, "stored " + items.size() + " item(s)", 0);
      case DUPLICATE -> new Answer(200, "already stored", 0);
      case FULL -> new Answer(503, "the queue is full (backlog " + backlog + ")", retryAfterSeconds);
    };
  }

  private static String text(Object v) {
    return v == null || v instanceof Map<?, ?> || v instanceof List<?> ? null : String.valueOf(v);
  }
}

package dev.ferry.sim;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * The Qdrant-compatible routes: {@code PUT|GET /collections/{c}}, {@code PUT /collections/{c}/points} (upsert),
 * {@code GET /collections/{c}/points/{id}} and {@code POST /collections/{c}/points/scroll}. Every answer is
 * {@code {"result":...,"status":"ok","time":s}} or {@code {"status":{"error":...},"time":s}}.
 *
 * <p>Threadsafe: the store is; the counters are adders.
 */
final class PointsEndpoints {
  private static final int MAX_SCROLL = 10_000;

  private final PointsSettings settings;
  private final ApiKeyCheck keys;
  private final PointStore store;
  private final SimCounters shared;
  private final LongSupplier ticker;
  private final LongAdder requests = new LongAdder();
  private final LongAdder upserts = new LongAdder();
  private final LongAdder written = new LongAdder();
  private final LongAdder rewrites = new LongAdder();
  private final LongAdder invalid = new LongAdder();
  private final LongAdder notFound = new LongAdder();
  private final LongAdder unauthorized = new LongAdder();

  /** @param shared the simulator's counters: 401s are counted there too */
  PointsEndpoints(PointsSettings settings, SimCounters shared, LongSupplier ticker) {
    this.settings = settings;
    this.keys = new ApiKeyCheck(settings.requiredKey(), Pattern.compile("\\S+"));
    this.store = new PointStore(settings.autoCreateCollections());
    this.shared = shared;
    this.ticker = ticker;
  }

  /** Runs one call of {@code route}: key check, the operation, the counters of its answer. */
  ApiResponse handle(Route route, String parameter, SimRequest request) {
    requests.increment();
    long start = ticker.getAsLong();
    ApiResponse response;
    try {
      authorize(request);
      String collection = request.segments().get(1);
      response = switch (route) {
        case CREATE_COLLECTION -> createCollection(collection, request.body(), start);
        case GET_COLLECTION -> getCollection(collection, start);
        case UPSERT_POINTS -> upsert(collection, request, start);
        case GET_POINT -> getPoint(collection, parameter, start);
        case SCROLL_POINTS -> scroll(collection, request.body(), start);
        default -> throw new IllegalArgumentException("not a points route: " + route);
      };
    } catch (ApiError e) {
      response = e.response();
    }
    switch (response.status()) {
      case 400 -> invalid.increment();
      case 401 -> {
        unauthorized.increment();
        shared.unauthorized.increment();
      }
      case 404 -> notFound.increment();
      default -> {
        // counted by the operation
      }
    }
    return response;
  }

  private void authorize(SimRequest request) {
    if (settings.requiredKey() == null) {
      return;
    }
    String apiKey = request.header("api-key");
    String bearer = request.header("Authorization");
    if (apiKey == null && bearer == null) {
      throw QdrantBody.Error.answer(401, "Must provide an API key or an Authorization bearer token");
    }
    if (apiKey != null ? !keys.acceptsKey(apiKey) : !keys.accepts(bearer)) {
      throw QdrantBody.Error.answer(401, "Invalid api-key");
    }
  }

  private ApiResponse createCollection(String name, byte[] body, long start) {
    Map<String, Integer> sizes = declaredSizes(body);
    if (!store.create(name, sizes)) {
      throw QdrantBody.Error.answer(409, "Wrong input: Collection `" + name + "` already exists!");
    }
    return ok(g -> g.writeBoolean(true), start);
  }

  /** {@code {"vectors":{"size":n,...}}} or {@code {"vectors":{"name":{"size":n,...},...}}}; anything else is ignored. */
  private static Map<String, Integer> declaredSizes(byte[] body) {
    if (body.length == 0) {
      return Map.of();
    }
    JsonNode root;
    try {
      root = SimJson.parseObject(body);
    } catch (ApiError e) {
      throw QdrantBody.Error.answer(400, "Format error in JSON body: the body is not a JSON object");
    }
    JsonNode vectors = root.path("vectors");
    Map<String, Integer> sizes = new HashMap<>();
    if (vectors.has("size")) {
      sizes.put(QdrantPoint.UNNAMED, size(vectors.get("size")));
    } else {
      vectors.fields().forEachRemaining(e -> sizes.put(e.getKey(), size(e.getValue().path("size"))));
    }
    return sizes;
  }

  private static int size(JsonNode node) {
    if (!node.canConvertToInt() || !node.isIntegralNumber() || node.asInt() < 1) {
      throw QdrantBody.Error.answer(400, "Format error in JSON body: a vector size must be a positive integer");
    }
    return node.asInt();
  }

  private ApiResponse getCollection(String name, long start) {
    PointCollection c = store.existing(name);
    int count = c.size();
    Map<String, Integer> sizes = c.sizes();
    return ok(g -> {
      g.writeStartObject();
      g.writeStringField("status", "green");
      g.writeNumberField("points_count", count);
      g.writeObjectFieldStart("config");
      g.writeObjectFieldStart("params");
      g.writeObjectFieldStart("vectors");
      Integer unnamed = sizes.get(QdrantPoint.UNNAMED);
      if (unnamed != null) {
        g.writeNumberField("size", unnamed);
        g.writeStringField("distance", "Cosine");
      } else {
        for (Map.Entry<String, Integer> e : sizes.entrySet()) {
          g.writeObjectFieldStart(e.getKey());
          g.writeNumberField("size", e.getValue());
          g.writeStringField("distance", "Cosine");
          g.writeEndObject();
        }
      }
      g.writeEndObject();
      g.writeEndObject();
      g.writeEndObject();
      g.writeEndObject();
    }, start);
  }

  private ApiResponse upsert(String name, SimRequest request, long start) {
    List<QdrantPoint> points = PointsInput.parse(request.body());
    PointCollection.Upserted done = store.forUpsert(name).upsert(points);
    upserts.increment();
    written.add(points.size());
    rewrites.add(done.rewrites());
    String status = "true".equals(request.queryParameter("wait")) ? "completed" : "acknowledged";
    return ok(g -> {
      g.writeStartObject();
      g.writeNumberField("operation_id", done.operationId());
      g.writeStringField("status", status);
      g.writeEndObject();
    }, start);
  }

  private ApiResponse getPoint(String name, String id, long start) {
    PointId pointId = PointId.parse(id);
    QdrantPoint point = store.existing(name).get(pointId);
    if (point == null) {
      throw QdrantBody.Error.answer(404, "Not found: No point with id " + pointId + " found");
    }
    return ok(g -> point.write(g, true, true), start);
  }

  /** Body {@code {"limit":10,"offset":id,"with_payload":true,"with_vector":false}}; filters are refused. */
  private ApiResponse scroll(String name, byte[] body, long start) {
    JsonNode root;
    try {
      root = body.length == 0 ? SimJson.MAPPER.createObjectNode() : SimJson.parseObject(body);
    } catch (ApiError e) {
      throw QdrantBody.Error.answer(400, "Format error in JSON body: the body is not a JSON object");
    }
    if (root.has("filter") && !root.get("filter").isNull()) {
      throw QdrantBody.Error.answer(400, "Wrong input: the simulator does not filter points");
    }
    JsonNode limitNode = root.path("limit");
    int limit = limitNode.isMissingNode() || limitNode.isNull() ? 10 : limitNode.asInt(-1);
    if (!(limit >= 1 && limit <= MAX_SCROLL) || (!limitNode.isMissingNode() && !limitNode.isNull()
        && !limitNode.isIntegralNumber())) {
      throw QdrantBody.Error.answer(400, "Wrong input: limit must be an integer in 1.." + MAX_SCROLL);
    }
    JsonNode offsetNode = root.get("offset");
    PointId offset = offsetNode == null || offsetNode.isNull() ? null : PointId.of(offsetNode);
    boolean withPayload = root.path("with_payload").asBoolean(true);
    boolean withVector = root.path("with_vector").asBoolean(false);
    PointCollection.Page page = store.existing(name).scroll(offset, limit);
    return ok(g -> {
      g.writeStartObject();
      g.writeArrayFieldStart("points");
      for (QdrantPoint p : page.points()) p.write(g, withPayload, withVector);
      g.writeEndArray();
      g.writeFieldName("next_page_offset");
      if (page.next() == null) {
        g.writeNull();
      } else {
        page.next().write(g);
      }
      g.writeEndObject();
    }, start);
  }

  private ApiResponse ok(QdrantBody.Result result, long start) {
    return new ApiResponse(200, new QdrantBody(result, (ticker.getAsLong() - start) / 1e9));
  }

  PointStats stats() {
    return new PointStats(store.points(), store.collections(), requests.sum(), upserts.sum(), written.sum(),
        rewrites.sum(), invalid.sum(), notFound.sum(), unauthorized.sum());
  }
}

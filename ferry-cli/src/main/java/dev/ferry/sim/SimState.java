package dev.ferry.sim;

/**
 * Everything {@code /__reset} clears: the data, the counters, the idempotency keys, the rate limiters'
 * state, the random source and the start of the timeline and latency schedule. A reset swaps in a fresh instance; a request keeps the instance it
 * started with, so requests in flight during a reset finish against the old state. Threadsafe.
 */
final class SimState {
  final SimCounters counters = new SimCounters();
  final UserStore users = new UserStore(counters);
  final OrgStore organizations = new OrgStore(counters);
  final MembershipStore memberships = new MembershipStore(counters);
  final EmbeddingsEndpoint embeddings;
  final PointsEndpoints points;
  final CrmEndpoints crm;
  final IdempotencyCache idempotency;
  final Limits limits;
  final RequestPlanner planner;
  final Api api;
  /** Per-second counters, and the start the latency schedule counts from. */
  final SimTimeline timeline;

  SimState(SimConfig config, SimClock clock, IdGenerator ids) {
    this.timeline = new SimTimeline(clock.nanoTime());
    this.idempotency = new IdempotencyCache(config.idempotencyTtl(), config.idempotencyMaxEntries(), clock::nanoTime);
    this.limits = new Limits(config, clock::nanoTime);
    this.planner = new RequestPlanner(config);
    this.embeddings = new EmbeddingsEndpoint(config.embeddings(), counters, clock::nanoTime);
    this.points = new PointsEndpoints(config.points(), counters, clock::nanoTime);
    this.crm = new CrmEndpoints(new CrmContactStore(), ids, clock::epochMillis);
    this.api = new Api(
        new UserEndpoints(users, memberships, ids, clock::epochMillis),
        new OrganizationEndpoints(organizations, ids, clock::epochMillis),
        new MembershipEndpoints(users, organizations, memberships, ids, clock::epochMillis, config.multipleRoles()),
        embeddings, points, crm);
  }

  SimStats snapshot() {
    return counters.snapshot(users.size(), organizations.size(), memberships.size(), embeddings.stats(), points.stats(),
        crm.stats());
  }
}

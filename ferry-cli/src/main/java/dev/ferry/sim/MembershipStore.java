package dev.ferry.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/** Organization memberships, unique per user and organization. Threadsafe. */
final class MembershipStore {
  /*
   * Concurrency: create() and removeAllOf() must run under the user's lock (UserStore.whileExists /
   * UserStore.delete), so every change concerning one user is serialised and a membership can never be
   * added to a user being deleted. Uniqueness per pair is byPair.putIfAbsent. byUser is only changed
   * under that user's lock, so its read-modify-write needs nothing more. These maps are last in the lock
   * order: code here never calls back into UserStore or OrgStore.
   * deletedKeys holds natural keys (lowercased email + organization id) of deleted memberships; it feeds
   * duplicate_creations.
   */
  private final ConcurrentHashMap<MembershipKey, MembershipRecord> byPair = new ConcurrentHashMap<>();
  private final SlotTable<MembershipRecord> byId = new SlotTable<>();
  private final ConcurrentHashMap<SimId, List<MembershipRecord>> byUser = new ConcurrentHashMap<>();
  private final Set<String> deletedKeys = ConcurrentHashMap.newKeySet();
  private final SimCounters counters;

  MembershipStore(SimCounters counters) {
    this.counters = counters;
  }

  /**
   * Stores the membership of {@code user}; call under the user's lock.
   *
   * @throws ApiError 409 {@code organization_membership_already_exists}
   */
  MembershipRecord create(UserRecord user, MembershipRecord membership) {
    if (byPair.putIfAbsent(membership.key(), membership) != null) {
      counters.duplicatesRefused.increment();
      throw new ApiError(409, "organization_membership_already_exists",
          "An organization membership already exists for this user and organization.");
    }
    byId.put(membership);
    List<MembershipRecord> current = byUser.getOrDefault(membership.userId(), List.of());
    List<MembershipRecord> next = new ArrayList<>(current.size() + 1);
    next.addAll(current);
    next.add(membership);
    byUser.put(membership.userId(), List.copyOf(next));
    counters.membershipsCreated.increment();
    if (deletedKeys.contains(naturalKey(user, membership))) {
      counters.duplicateCreations.increment();
    }
    return membership;
  }

  /** Removes every membership of {@code user}; call under the user's lock (inside its deletion). */
  void removeAllOf(UserRecord user) {
    List<MembershipRecord> removed = byUser.remove(user.id());
    if (removed == null) {
      return;
    }
    for (MembershipRecord m : removed) {
      byPair.remove(m.key(), m);
      byId.remove(m);
      deletedKeys.add(naturalKey(user, m));
    }
  }

  MembershipRecord byId(SimId id) {
    return byId.get(id);
  }

  MembershipRecord byPair(SimId userId, SimId organizationId) {
    return byPair.get(new MembershipKey(userId, organizationId));
  }

  List<MembershipRecord> ofUser(SimId userId) {
    return byUser.getOrDefault(userId, List.of());
  }

  /** Up to {@code limit} memberships matching {@code filter}: a scan of all memberships. */
  List<MembershipRecord> find(Predicate<MembershipRecord> filter, int limit) {
    List<MembershipRecord> out = new ArrayList<>();
    for (MembershipRecord m : byPair.values()) {
      if (out.size() >= limit) {
        break;
      }
      if (filter.test(m)) {
        out.add(m);
      }
    }
    return out;
  }

  long size() {
    return byId.size();
  }

  private static String naturalKey(UserRecord user, MembershipRecord m) {
    return user.emailKey() + '\n' + m.organizationId().format(OrgRecord.PREFIX);
  }
}

package dev.ferry.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Users, indexed by lowercased email, by external_id and by id (a {@link SlotTable}). Threadsafe.
 */
final class UserStore {
  /*
   * Concurrency: every change to a user happens inside byEmail.compute(emailKey, ...), i.e. under the
   * ConcurrentHashMap bin lock of that email. That makes creation and deletion atomic per email: two
   * creations of one email serialise and the second sees the first.
   * External_id uniqueness: inside the email compute, byExternalId.putIfAbsent claims the external_id;
   * a loser throws, and the exception leaves the email mapping unchanged.
   * Lock order (deadlock freedom): byEmail bin -> byExternalId bin / byId chunk map -> the membership maps
   * (through the whileExists/delete callbacks). Code holding a later lock never takes an earlier one,
   * and no compute function touches its own map.
   * Visibility: a created user appears in byExternalId and byId a moment before byEmail (the compute
   * publishes last); it is never removed again on that path, so no reader sees a user that then vanishes.
   * deletedEmails only grows (until reset); it feeds duplicate_creations.
   */
  private final ConcurrentHashMap<String, UserRecord> byEmail = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, UserRecord> byExternalId = new ConcurrentHashMap<>();
  private final SlotTable<UserRecord> byId = new SlotTable<>();
  private final Set<String> deletedEmails = ConcurrentHashMap.newKeySet();
  private final SimCounters counters;

  UserStore(SimCounters counters) {
    this.counters = counters;
  }

  /**
   * Stores {@code user} unless its email or external_id is taken.
   *
   * @throws ApiError 422 {@code user_creation_error} with {@code email_not_available} or
   *     {@code external_id_already_used}
   */
  UserRecord create(UserRecord user) {
    String emailKey = user.emailKey();
    byEmail.compute(emailKey, (key, existing) -> {
      if (existing != null) {
        counters.duplicatesRefused.increment();
        throw clash("email_not_available", "This email is not available.");
      }
      if (user.externalId() != null && byExternalId.putIfAbsent(user.externalId(), user) != null) {
        counters.duplicatesRefused.increment();
        throw clash("external_id_already_used", "The external_id provided has already been used.");
      }
      byId.put(user);
      counters.usersCreated.increment();
      if (deletedEmails.contains(key)) {
        counters.duplicateCreations.increment();
      }
      return user;
    });
    return user;
  }

  UserRecord byId(SimId id) {
    return byId.get(id);
  }

  UserRecord byEmail(String email) {
    return byEmail.get(UserRecord.emailKey(email));
  }

  /** Up to {@code limit} users, in no particular order. */
  List<UserRecord> some(int limit) {
    return byId.some(limit);
  }

  /**
   * Runs {@code action} while the user is guaranteed to exist: no deletion of it can interleave.
   * The action may only touch maps later in the lock order (the membership store).
   *
   * @throws ApiError 404 when no such user exists
   */
  <T> T whileExists(SimId id, String idText, Function<UserRecord, T> action) {
    UserRecord user = byId(id);
    if (user == null) {
      throw ApiError.notFound("User", idText);
    }
    List<T> result = new ArrayList<>(1);
    byEmail.computeIfPresent(user.emailKey(), (key, current) -> {
      if (current == user) {
        result.add(action.apply(user));
      }
      return current;
    });
    if (result.isEmpty()) {
      throw ApiError.notFound("User", idText); // deleted meanwhile
    }
    return result.getFirst();
  }

  /**
   * Deletes the user; {@code cascade} runs inside the deletion (removing the user's memberships).
   *
   * @throws ApiError 404 when no such user exists
   */
  UserRecord delete(SimId id, String idText, Consumer<UserRecord> cascade) {
    UserRecord user = byId(id);
    if (user == null) {
      throw ApiError.notFound("User", idText);
    }
    boolean[] deleted = {false};
    byEmail.computeIfPresent(user.emailKey(), (key, current) -> {
      if (current != user) {
        return current;
      }
      cascade.accept(user);
      if (user.externalId() != null) {
        byExternalId.remove(user.externalId(), user);
      }
      byId.remove(user);
      deletedEmails.add(key);
      counters.usersDeleted.increment();
      deleted[0] = true;
      return null;
    });
    if (!deleted[0]) {
      throw ApiError.notFound("User", idText);
    }
    return user;
  }

  long size() {
    return byId.size();
  }

  private static ApiError clash(String code, String message) {
    return new ApiError(new ApiResponse(422, new ErrorBody("user_creation_error", "Could not create the user.",
        List.of(new ErrorBody.FieldError(null, code, message)))));
  }
}

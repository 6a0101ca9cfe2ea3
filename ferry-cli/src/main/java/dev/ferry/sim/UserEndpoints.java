package dev.ferry.sim;

import java.util.List;
import java.util.function.LongSupplier;

/** {@code /user_management/users}: create, list/find by email, get, delete. Threadsafe. */
final class UserEndpoints {
  private final UserStore users;
  private final MembershipStore memberships;
  private final IdGenerator ids;
  private final LongSupplier epochMillis;

  UserEndpoints(UserStore users, MembershipStore memberships, IdGenerator ids, LongSupplier epochMillis) {
    this.users = users;
    this.memberships = memberships;
    this.ids = ids;
    this.epochMillis = epochMillis;
  }

  ApiResponse create(SimRequest request) {
    UserInput input = UserInput.parse(SimJson.parseObject(request.body()));
    return new ApiResponse(201, users.create(input.toRecord(ids.next(), epochMillis.getAsLong())));
  }

  /** {@code ?email=} is an exact, case-insensitive match; without it, up to {@code limit} users (no cursors). */
  ApiResponse list(SimRequest request) {
    String email = request.queryParameter("email");
    if (email != null) {
      UserRecord user = users.byEmail(email);
      return new ApiResponse(200, new ListBody(user == null ? List.of() : List.of(user)));
    }
    return new ApiResponse(200, new ListBody(users.some(Paging.limit(request))));
  }

  ApiResponse get(String idText) {
    UserRecord user = users.byId(SimId.parse(UserRecord.PREFIX, idText));
    if (user == null) {
      throw ApiError.notFound("User", idText);
    }
    return new ApiResponse(200, user);
  }

  /** 202 with an empty body; the user's memberships go with it. */
  ApiResponse delete(String idText) {
    users.delete(SimId.parse(UserRecord.PREFIX, idText), idText, memberships::removeAllOf);
    return new ApiResponse(202, null);
  }
}

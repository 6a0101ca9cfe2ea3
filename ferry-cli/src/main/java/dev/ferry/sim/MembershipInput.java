package dev.ferry.sim;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Validates a create-membership body: {@code user_id} and {@code organization_id} required; one role as
 * {@code role_slug} (default {@code member}) or several as {@code role_slugs} (only with the Multiple
 * Roles feature).
 *
 * @param roleSlugs at least one
 */
record MembershipInput(String userId, String organizationId, List<String> roleSlugs) {
  static final String DEFAULT_ROLE = "member";
  private static final List<String> DEFAULT_ROLES = List.of(DEFAULT_ROLE);

  /** @throws ApiError 422 {@code invalid_request_parameters} or {@code multiple_roles_not_enabled} */
  static MembershipInput parse(JsonNode body, boolean multipleRoles) {
    List<ErrorBody.FieldError> errors = new ArrayList<>();
    String userId = Fields.required(body, "user_id", errors);
    String organizationId = Fields.required(body, "organization_id", errors);
    String roleSlug = Fields.string(body, "role_slug", errors);
    List<String> roleSlugs = roleSlug == null ? DEFAULT_ROLES : List.of(roleSlug);
    JsonNode slugs = body.get("role_slugs");
    if (slugs != null && !slugs.isNull()) {
      if (!multipleRoles) {
        throw new ApiError(422, "multiple_roles_not_enabled",
            "Multiple roles are not enabled for this environment; send one role_slug.");
      }
      roleSlugs = slugs(slugs, errors);
      if (roleSlug != null) {
        errors.add(Fields.error("role_slugs", "role_slug_and_role_slugs", "Send role_slug or role_slugs, not both."));
      }
    }
    if (!errors.isEmpty()) {
      throw ApiError.validation(errors);
    }
    return new MembershipInput(userId, organizationId, roleSlugs);
  }

  private static List<String> slugs(JsonNode node, List<ErrorBody.FieldError> errors) {
    List<String> out = new ArrayList<>();
    if (node.isArray()) {
      for (JsonNode slug : node) {
        if (!slug.isTextual() || slug.textValue().isBlank()) {
          out.clear();
          break;
        }
        out.add(slug.textValue());
      }
    }
    if (out.isEmpty()) {
      errors.add(Fields.error("role_slugs", "role_slugs_invalid", "role_slugs must be a non-empty array of strings."));
      return DEFAULT_ROLES;
    }
    return List.copyOf(out);
  }
}

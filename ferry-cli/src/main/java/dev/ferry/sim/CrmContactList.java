package dev.ferry.sim;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.util.List;

/** {@code {"object":"list","data":[contacts...],"has_more":false}}. Immutable. */
record CrmContactList(List<CrmContact> data, boolean hasMore) implements JsonBody {
  CrmContactList {
    data = List.copyOf(data);
  }

  @Override
  public void write(JsonGenerator g) throws IOException {
    g.writeStartObject();
    g.writeStringField("object", "list");
    g.writeArrayFieldStart("data");
    for (CrmContact c : data) c.write(g);
    g.writeEndArray();
    g.writeBooleanField("has_more", hasMore);
    g.writeEndObject();
  }
}

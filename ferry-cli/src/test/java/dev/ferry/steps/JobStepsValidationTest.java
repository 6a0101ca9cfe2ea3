package dev.ferry.steps;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.steps.template.JsonTemplate;
import dev.ferry.steps.template.SpecException;
import dev.ferry.steps.template.SpecLocation;
import dev.ferry.steps.template.Template;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What JobSteps.validate refuses, each at the faulty step's location. */
class JobStepsValidationTest {
  private static final TargetConfig CRM = new TargetConfig("crm", new SpecLocation("job.yaml", 5, 3),
      URI.create("http://127.0.0.1:9/"), Map.of("Authorization", "Bearer sk_test_secret_value"), TargetLimits.NONE,
      null);

  private static SpecLocation line(int n) {
    return new SpecLocation("job.yaml", n, 5);
  }

  private static RequestStepConfig step(String name, int line, String target, String body, BatchSettings batch) {
    RequestTemplate r = new RequestTemplate("POST", Template.parse("/x", line(line)), Map.of(), Map.of(),
        JsonTemplate.of(Map.of("v", body), line(line)));
    return new RequestStepConfig(name, line(line), null, target, CallConfig.of(r), batch);
  }

  @Test
  void aValidChainPasses() {
    assertThatCode(() -> JobSteps.validate(List.of(CRM), List.of(step("find", 10, "crm", "{{ row.id }}", null),
        step("create", 14, "crm", "{{ steps.find.id }}", null)))).doesNotThrowAnyException();
  }

  @Test
  void refusals() {
    assertThatThrownBy(() -> JobSteps.validate(List.of(CRM), List.of(step("a", 10, "crm", "x", null),
        step("a", 14, "crm", "x", null)))).isInstanceOf(SpecException.class)
        .hasMessage("job.yaml:14:5: step 'a' is declared twice");
    assertThatThrownBy(() -> JobSteps.validate(List.of(CRM), List.of(step("a", 10, "crn", "x", null))))
        .hasMessage("job.yaml:10:5: step 'a' calls target 'crn', which is not declared (targets: crm)");
    assertThatThrownBy(() -> JobSteps.validate(List.of(CRM), List.of(step("a", 10, "crm", "{{ steps.b.id }}", null),
        step("b", 14, "crm", "x", null))))
        .hasMessage("job.yaml:10:5: step 'a': its body reads steps.b, but no step named 'b' runs before it (it is the"
            + " first step)");
    assertThatThrownBy(() -> JobSteps.validate(List.of(CRM), List.of(step("a", 10, "crm",
        "{{ batch.each(row.id) }}", null))))
        .hasMessageContaining("step 'a': its body uses batch, which only a batch step's request and charge can read");
    assertThatCode(() -> JobSteps.validate(List.of(CRM), List.of(step("a", 10, "crm", "{{ batch.each(row.id) }}",
        BatchSettings.ofItems(10))))).doesNotThrowAnyException();
    assertThatThrownBy(() -> JobSteps.validate(List.of(CRM), List.of(step("has space", 10, "crm", "x", null))))
        .hasMessageContaining("step name 'has space' must be letters");
  }

  @Test
  void theRowKeyCannotReadSteps() {
    assertThatThrownBy(() -> JobSteps.builder(List.of(CRM), List.of(step("a", 10, "crm", "x", null)))
        .key(Template.parse("{{ steps.a.id }}", line(30))).dryRun(true).build())
        .hasMessage("job.yaml:30:5: the row's key is rendered before any step runs: it reads only row and job");
  }

  @Test
  void aTargetNeverShowsItsHeaders() {
    org.assertj.core.api.Assertions.assertThat(CRM.toString()).doesNotContain("secret")
        .contains("Authorization: ***");
  }
}

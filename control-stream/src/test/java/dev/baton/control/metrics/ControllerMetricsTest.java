package dev.baton.control.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

class ControllerMetricsTest {

  @Test
  void countsAreServedInThePrometheusFormat() throws Exception {
    try (ControllerMetrics metrics = new ControllerMetrics()) {
      metrics.inputRecords(5);
      metrics.launched(120);
      metrics.launched(80);
      metrics.launchDeduplicated();
      metrics.deadLetter();
      metrics.alert("STAGE_RETRIED");
      metrics.runStatus("r1", "RUNNING");
      metrics.runStatus("r2", "RUNNING");
      metrics.runStatus("r1", "SUCCEEDED");
      int port = metrics.serve("127.0.0.1", 0);

      HttpResponse<String> response = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
          HttpResponse.BodyHandlers.ofString());

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body())
          .contains("baton_controller_input_records_total 5.0")
          .contains("baton_controller_launches_total 2.0")
          .contains("baton_controller_launches_deduplicated_total 1.0")
          .contains("baton_controller_dead_letters_total 1.0")
          .contains("baton_controller_alerts_total{kind=\"STAGE_RETRIED\"} 1.0")
          .contains("baton_controller_runs_completed_total{status=\"SUCCEEDED\"} 1.0")
          .contains("baton_controller_runs_active 1.0")
          .contains("baton_controller_hop_latency_seconds_count 2")
          .contains("baton_controller_hop_latency_seconds_sum 0.2");
    }
  }
}

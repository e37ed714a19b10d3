package dev.baton.control.launch;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.RecordedRequest;
import okio.Buffer;

/**
 * fabric8's CRUD mock of the Kubernetes API, plus what a real API server does with a server-side
 * apply ({@code PATCH} with {@code application/apply-patch+yaml}) of an object that does not exist
 * yet: it creates it. Spark's Kubernetes submission client applies the driver's Service and
 * ConfigMap that way (after creating the pod); the 6.7 mock answers 404 instead.
 */
final class ServerSideApplyCrudDispatcher extends KubernetesCrudDispatcher {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  public MockResponse handlePatch(RecordedRequest request) {
    String contentType = request.getHeader("Content-Type");
    String path = request.getPath();
    String resourcePath = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
    if (contentType == null || !contentType.startsWith("application/apply-patch") || handleGet(resourcePath).getStatus()
        .contains(" 200 ")) {
      return super.handlePatch(request);
    }
    String collection = resourcePath.substring(0, resourcePath.lastIndexOf('/'));
    try {
      byte[] json = JSON.writeValueAsBytes(YAML.readTree(request.getBody().clone().readString(StandardCharsets.UTF_8)));
      Buffer body = new Buffer().write(json);
      return handleCreate(new RecordedRequest("POST " + collection + " HTTP/1.1", request.getHeaders(), List.of(),
          json.length, body, request.getSequenceNumber(), new Socket()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

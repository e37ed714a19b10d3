package dev.baton.local.s3;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;
import org.jclouds.blobstore.domain.MultipartPart;
import org.jclouds.blobstore.domain.MultipartUpload;
import org.jclouds.blobstore.options.CopyOptions;
import org.jclouds.blobstore.options.PutOptions;
import org.jclouds.io.Payloads;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class NotifyObjectCreatedTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<String> sent = new CopyOnWriteArrayList<>();
  private final ByteArrayOutputStream errors = new ByteArrayOutputStream();
  private BlobStoreContext context;
  private BlobStore store;
  private BlobStore notifying;

  @BeforeEach
  void setUp() {
    context = ContextBuilder.newBuilder("transient").build(BlobStoreContext.class);
    store = context.getBlobStore();
    store.createContainerInLocation(null, "landing");
    store.createContainerInLocation(null, "warehouse");
    notifying = new NotifyObjectCreated(store, Set.of("landing"), sent::add, "test-queue",
        new PrintStream(errors, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void tearDown() {
    context.close();
  }

  @Test
  void putInANotifiedBucketSendsOneObjectCreatedPut() throws Exception {
    String eTag = notifying.putBlob("landing", notifying.blobBuilder("in/a b.csv").payload("12345").build(), PutOptions.NONE);

    assertThat(sent).hasSize(1);
    JsonNode record = JSON.readTree(sent.get(0)).at("/Records/0");
    assertThat(record.get("eventName").asText()).isEqualTo("ObjectCreated:Put");
    assertThat(record.at("/s3/bucket/name").asText()).isEqualTo("landing");
    assertThat(record.at("/s3/object/key").asText()).isEqualTo("in/a+b.csv");
    assertThat(record.at("/s3/object/size").asLong()).isEqualTo(5);
    assertThat(record.at("/s3/object/eTag").asText()).isEqualTo(eTag.replace("\"", ""));
  }

  @Test
  void putInAnotherBucketSendsNothing() {
    notifying.putBlob("warehouse", notifying.blobBuilder("data/f.parquet").payload("x").build(), PutOptions.NONE);

    assertThat(sent).isEmpty();
  }

  @Test
  void multipartUploadSendsOnlyCompleteMultipartUploadAndNotTheUploadStub() throws Exception {
    MultipartUpload upload = notifying.initiateMultipartUpload(
        "landing", notifying.blobBuilder("big.bin").build().getMetadata(), PutOptions.NONE);
    // S3Proxy stores a stub named after the upload id, under its reserved prefix, on filesystem stores
    notifying.putBlob("landing", notifying.blobBuilder(".s3proxy-mpu-stub-" + upload.id()).payload(new byte[0]).build(),
        PutOptions.NONE);
    MultipartPart part = notifying.uploadMultipartPart(upload, 1, Payloads.newByteArrayPayload(new byte[] {1, 2, 3}));
    notifying.completeMultipartUpload(upload, List.of(part));

    assertThat(sent).hasSize(1);
    JsonNode record = JSON.readTree(sent.get(0)).at("/Records/0");
    assertThat(record.get("eventName").asText()).isEqualTo("ObjectCreated:CompleteMultipartUpload");
    assertThat(record.at("/s3/object/key").asText()).isEqualTo("big.bin");
    assertThat(record.at("/s3/object/size").asLong()).isEqualTo(3);
  }

  @Test
  void copyIntoANotifiedBucketSendsObjectCreatedCopy() throws Exception {
    store.putBlob("warehouse", store.blobBuilder("src").payload("abc").build());

    notifying.copyBlob("warehouse", "src", "landing", "dst", CopyOptions.NONE);

    assertThat(sent).hasSize(1);
    JsonNode record = JSON.readTree(sent.get(0)).at("/Records/0");
    assertThat(record.get("eventName").asText()).isEqualTo("ObjectCreated:Copy");
    assertThat(record.at("/s3/object/size").asLong()).isEqualTo(3);
  }

  @Test
  void sequencersIncreaseFromEventToEvent() throws Exception {
    for (int i = 0; i < 20; i++) {
      notifying.putBlob("landing", notifying.blobBuilder("k").payload("v" + i).build(), PutOptions.NONE);
    }

    List<String> sequencers = sent.stream().map(NotifyObjectCreatedTest::sequencer).toList();
    assertThat(sequencers).hasSize(20).doesNotHaveDuplicates().isSorted().allMatch(s -> s.matches("[0-9A-F]{16}"));
  }

  @Test
  void failedSendIsReportedAndTheObjectIsStoredAnyway() {
    BlobStore failing = new NotifyObjectCreated(store, Set.of("landing"),
        body -> {
          throw new IllegalStateException("queue is down");
        },
        "http://127.0.0.1:1/000000000000/q", new PrintStream(errors, true, StandardCharsets.UTF_8));

    failing.putBlob("landing", failing.blobBuilder("kept.csv").payload("x").build(), PutOptions.NONE);

    assertThat(store.blobExists("landing", "kept.csv")).isTrue();
    assertThat(errors.toString(StandardCharsets.UTF_8))
        .contains("ERROR [baton-s3-notifier] Cannot send ObjectCreated:Put for s3://landing/kept.csv to "
            + "http://127.0.0.1:1/000000000000/q: java.lang.IllegalStateException: queue is down");
  }

  private static String sequencer(String body) {
    try {
      return JSON.readTree(body).at("/Records/0/s3/object/sequencer").asText();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}

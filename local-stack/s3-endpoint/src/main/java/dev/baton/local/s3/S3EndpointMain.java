package dev.baton.local.s3;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;

/**
 * Runs an S3-compatible endpoint: S3Proxy over the jclouds {@code filesystem} blob store.
 *
 * <p>Usage: {@code S3EndpointMain <base-dir> <port> <bucket>[,<bucket>...]}. The access key and
 * secret key are read from the environment variables {@code BATON_S3_ACCESS_KEY} and {@code
 * BATON_S3_SECRET_KEY} (never from the command line, which other users can read). Buckets are
 * created on the blob store before the endpoint opens. Listens on 127.0.0.1 only; runs until
 * killed.
 *
 * <p>Event notifications: when {@code BATON_S3_NOTIFY_QUEUE_URL} is set (an SQS queue URL, e.g.
 * {@code http://127.0.0.1:39324/000000000000/baton-s3-events}), every object created in the
 * buckets listed in {@code BATON_S3_NOTIFY_BUCKETS} (comma-separated, e.g. {@code landing}) is
 * announced on that queue with an AWS-shaped S3 event message ({@code ObjectCreated:*}), best
 * effort: see {@link NotifyObjectCreated}. Setting only one of the two variables is an error.
 */
public final class S3EndpointMain {

  private S3EndpointMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      System.err.println("usage: S3EndpointMain <base-dir> <port> <bucket>[,<bucket>...]");
      System.exit(2);
    }
    Path baseDir = Path.of(args[0]).toAbsolutePath();
    int port = Integer.parseInt(args[1]);
    String accessKey = requireEnv("BATON_S3_ACCESS_KEY");
    String secretKey = requireEnv("BATON_S3_SECRET_KEY");
    Files.createDirectories(baseDir);

    Properties properties = new Properties();
    properties.setProperty("jclouds.filesystem.basedir", baseDir.toString());
    BlobStoreContext context =
        ContextBuilder.newBuilder("filesystem")
            .credentials("identity", "credential")
            .overrides(properties)
            .build(BlobStoreContext.class);
    BlobStore blobStore = context.getBlobStore();
    for (String bucket : args[2].split(",")) {
      if (!bucket.isBlank() && !blobStore.containerExists(bucket)) {
        blobStore.createContainerInLocation(null, bucket);
      }
    }

    String queueUrl = optionalEnv("BATON_S3_NOTIFY_QUEUE_URL");
    String notifyBuckets = optionalEnv("BATON_S3_NOTIFY_BUCKETS");
    if ((queueUrl == null) != (notifyBuckets == null)) {
      System.err.println("Set both or neither of BATON_S3_NOTIFY_QUEUE_URL and BATON_S3_NOTIFY_BUCKETS");
      System.exit(2);
    }
    SqsSender sqs = queueUrl == null ? null : new SqsSender(queueUrl);
    BlobStore served = blobStore;
    if (sqs != null) {
      Set<String> buckets = Arrays.stream(notifyBuckets.split(","))
          .map(String::strip)
          .filter(bucket -> !bucket.isEmpty())
          .collect(Collectors.toSet());
      served = new NotifyObjectCreated(blobStore, buckets, sqs, queueUrl, System.err);
      System.out.println("S3 event notifications for buckets " + buckets + " go to " + queueUrl);
    }

    S3Proxy proxy =
        S3Proxy.builder()
            .blobStore(new HideInFlightUploads(served))
            .endpoint(URI.create("http://127.0.0.1:" + port))
            .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, accessKey, secretKey)
            .build();
    proxy.start();
    while (!proxy.getState().equals("STARTED")) {
      Thread.sleep(20);
    }
    System.out.println("S3 endpoint listening on http://127.0.0.1:" + port + " (base dir " + baseDir + ")");
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        proxy.stop();
      } catch (Exception e) {
        System.err.println("Cannot stop S3 endpoint cleanly: " + e);
      }
      if (sqs != null) {
        sqs.close();
      }
      context.close();
    }));
    Thread.currentThread().join();
  }

  private static String optionalEnv(String name) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? null : value.strip();
  }

  private static String requireEnv(String name) {
    String value = System.getenv(name);
    if (value == null || value.isBlank()) {
      System.err.println("Missing environment variable: " + name);
      System.exit(2);
    }
    return value;
  }
}

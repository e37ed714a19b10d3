package dev.baton.control.launch;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Baton's Spark images (Apache Spark's and EMR on EKS's) and Kubernetes manifests, checked without Docker or a
 * cluster (the Dockerfiles' COPY sources are checked by {@code ImageCopySourcesTest} of infra-terraform, built after
 * the CLI the Apache image copies), the pod templates and manifests parse as the
 * Kubernetes objects they claim to be and refer to each other consistently, and every key of
 * spark-defaults.conf is one Spark, Hadoop S3A or Iceberg really defines (a typo there is silently
 * ignored at run time), each class it names on the classpath.
 */
class SparkImageFilesTest {
  private static final Path REPOSITORY = Path.of(System.getProperty("user.dir")).getParent();
  private static final Path IMAGE = REPOSITORY.resolve("deploy/spark-image");
  private static final Path EMR_ON_EKS = REPOSITORY.resolve("deploy/emr-on-eks");
  private static final Pattern CLASS_NAME = Pattern.compile("(?:[a-z][a-z0-9_]*\\.)+[A-Z][A-Za-z0-9_$]*");

  @Test
  void theEmrOnEksPodTemplatesArePodsWithSparksContainerNamesThatLeaveUserAndAccountToEmr() throws IOException {
    for (Map.Entry<String, String> template : Map.of("driver.yaml", "spark-kubernetes-driver", "executor.yaml",
        "spark-kubernetes-executor").entrySet()) {
      Pod pod;
      try (InputStream in = Files.newInputStream(EMR_ON_EKS.resolve("pod-templates").resolve(template.getKey()))) {
        pod = Serialization.unmarshal(in, Pod.class);
      }
      assertThat(pod.getKind()).isEqualTo("Pod");
      assertThat(pod.getSpec().getContainers()).singleElement().satisfies(container -> {
        assertThat(container.getName()).isEqualTo(template.getValue());
        assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(container.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
      });
      // EMR's images run as hadoop, not as the Apache image's 185; EMR on EKS sets the job role's service account
      assertThat(pod.getSpec().getSecurityContext()).isNull();
      assertThat(pod.getSpec().getServiceAccountName()).isNull();
    }
  }



  @Test
  void thePodTemplatesAreKubernetesPodsWithSparksContainerNamesAndAReadableIrsaToken() throws IOException {
    Map<String, String> containers = Map.of("driver.yaml", "spark-kubernetes-driver", "executor.yaml",
        "spark-kubernetes-executor");
    for (Map.Entry<String, String> template : containers.entrySet()) {
      Pod pod;
      try (InputStream in = Files.newInputStream(IMAGE.resolve("pod-templates").resolve(template.getKey()))) {
        pod = Serialization.unmarshal(in, Pod.class);
      }
      assertThat(pod.getKind()).isEqualTo("Pod");
      assertThat(pod.getSpec().getContainers()).extracting(c -> c.getName()).containsExactly(template.getValue());
      assertThat(pod.getSpec().getSecurityContext().getFsGroup()).as("fsGroup: the projected token is readable").isEqualTo(185L);
      assertThat(pod.getSpec().getSecurityContext().getRunAsUser()).isEqualTo(185L);
    }
    Map<String, String> defaults = sparkDefaults();
    assertThat(defaults).containsEntry("spark.kubernetes.driver.podTemplateFile", "/opt/spark/conf/pod-templates/driver.yaml")
        .containsEntry("spark.kubernetes.executor.podTemplateFile", "/opt/spark/conf/pod-templates/executor.yaml");
  }

  @Test
  void theManifestsDefineTheServiceAccountsTheImageNamesWithAnIamRoleAndBindTheirRoles() throws IOException {
    List<HasMetadata> objects = new ArrayList<>();
    for (String file : List.of("namespace.yaml", "service-accounts.yaml", "rbac.yaml")) {
      try (InputStream in = Files.newInputStream(REPOSITORY.resolve("deploy/kubernetes").resolve(file))) {
        Object parsed = Serialization.unmarshal(in);
        if (parsed instanceof List<?> list) {
          list.forEach(item -> objects.add((HasMetadata) item));
        } else {
          objects.add((HasMetadata) parsed);
        }
      }
    }
    Map<String, ServiceAccount> accounts = objects.stream().filter(ServiceAccount.class::isInstance)
        .map(ServiceAccount.class::cast).collect(Collectors.toMap(sa -> sa.getMetadata().getName(), sa -> sa));
    Map<String, String> defaults = sparkDefaults();
    assertThat(accounts).containsKeys(defaults.get("spark.kubernetes.authenticate.driver.serviceAccountName"),
        defaults.get("spark.kubernetes.authenticate.executor.serviceAccountName"), "baton-controller");
    accounts.values().forEach(sa -> assertThat(sa.getMetadata().getAnnotations())
        .hasEntrySatisfying("eks.amazonaws.com/role-arn", arn -> assertThat(arn).startsWith("arn:aws:iam::")));
    Set<String> roles = objects.stream().filter(Role.class::isInstance).map(o -> o.getMetadata().getName())
        .collect(Collectors.toSet());
    List<RoleBinding> bindings = objects.stream().filter(RoleBinding.class::isInstance).map(RoleBinding.class::cast).toList();
    assertThat(bindings).hasSize(2).allSatisfy(binding -> {
      assertThat(roles).contains(binding.getRoleRef().getName());
      assertThat(binding.getSubjects()).allSatisfy(subject -> assertThat(accounts).containsKey(subject.getName()));
    });
    assertThat(objects).allSatisfy(object -> assertThat(object.getMetadata().getLabels())
        .containsEntry("app.kubernetes.io/part-of", "baton"));
  }

  @Test
  void everySparkDefaultsKeyIsOneSparkHadoopOrIcebergDefines() throws Exception {
    Set<String> hadoopKeys = stringConstants(Class.forName("org.apache.hadoop.fs.s3a.Constants"));
    Set<String> icebergKeys = new TreeSet<>();
    for (String holder : List.of("org.apache.iceberg.CatalogProperties", "org.apache.iceberg.aws.AwsClientProperties",
        "org.apache.iceberg.aws.s3.S3FileIOProperties", "org.apache.iceberg.aws.AwsProperties")) {
      icebergKeys.addAll(stringConstants(Class.forName(holder)));
    }
    // Spark registers each ConfigEntry when the object defining it initialises
    for (String holder : List.of("org.apache.spark.internal.config.package$", "org.apache.spark.deploy.k8s.Config$",
        "org.apache.spark.sql.internal.StaticSQLConf$", "org.apache.spark.sql.internal.SQLConf$")) {
      Class.forName(holder).getField("MODULE$").get(null);
    }
    Object registry = Class.forName("org.apache.spark.internal.config.ConfigEntry$").getField("MODULE$").get(null);
    var findEntry = registry.getClass().getMethod("findEntry", String.class);

    List<String> unknown = new ArrayList<>();
    Map<String, String> defaults = sparkDefaults();
    assertThat(defaults).hasSizeGreaterThanOrEqualTo(10);
    for (Map.Entry<String, String> entry : defaults.entrySet()) {
      String key = entry.getKey();
      boolean known;
      if (key.startsWith("spark.hadoop.")) {
        String hadoopKey = key.substring("spark.hadoop.".length());
        known = hadoopKeys.contains(hadoopKey) || hadoopKey.matches("fs\\.[a-z0-9]+\\.impl"); // FileSystem's own rule
      } else if (key.startsWith("spark.sql.catalog.baton.")) {
        known = icebergKeys.contains(key.substring("spark.sql.catalog.baton.".length()));
      } else {
        known = findEntry.invoke(registry, key) != null;
      }
      if (!known) {
        unknown.add(key);
      }
      Matcher classes = CLASS_NAME.matcher(entry.getValue());
      while (classes.find()) {
        assertThat(Class.forName(classes.group(), false, getClass().getClassLoader()))
            .as("class named by " + key).isNotNull();
      }
    }
    assertThat(unknown).as("keys no Spark, Hadoop or Iceberg definition has").isEmpty();
  }

  private static Map<String, String> sparkDefaults() throws IOException {
    Map<String, String> defaults = new LinkedHashMap<>();
    for (String line : Files.readAllLines(IMAGE.resolve("spark-defaults.conf"))) {
      String trimmed = line.strip();
      if (trimmed.isEmpty() || trimmed.startsWith("#")) {
        continue;
      }
      String[] keyValue = trimmed.split("\\s+", 2);
      defaults.put(keyValue[0], keyValue.length > 1 ? keyValue[1] : "");
    }
    return defaults;
  }

  private static Set<String> stringConstants(Class<?> holder) throws IllegalAccessException {
    Set<String> values = new TreeSet<>();
    for (Field field : holder.getFields()) {
      if (Modifier.isStatic(field.getModifiers()) && field.getType() == String.class) {
        values.add((String) field.get(null));
      }
    }
    return values;
  }
}

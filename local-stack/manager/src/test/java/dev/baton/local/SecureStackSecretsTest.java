package dev.baton.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecureStackSecretsTest {
  @TempDir Path home;

  @Test
  void generatesPrivateFilesOnceAndReadsThemBack() throws Exception {
    Path dir = home.resolve("local/secure");
    SecureStackSecrets first = SecureStackSecrets.loadOrCreate(dir);
    SecureStackSecrets again = SecureStackSecrets.loadOrCreate(dir);

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(f -> f.getFileName().toString()).sorted().toList())
          .containsExactly("broker.p12", "ca.pem", "secrets.properties", "truststore.p12");
    }
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.toList()).allSatisfy(f ->
          assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-------"));
    }
    for (String principal : SecureStackSecrets.SCRAM_PRINCIPALS) {
      assertThat(first.password(principal)).hasSize(32).matches("[A-Za-z0-9]+").isEqualTo(again.password(principal));
    }
    assertThat(SecureStackSecrets.SCRAM_PRINCIPALS.stream().map(first::password).distinct()).hasSize(5);
    assertThat(Files.readString(dir.resolve("ca.pem"))).startsWith("-----BEGIN CERTIFICATE-----");
  }

  @Test
  void brokerCertificateIsSignedByTheCaAndNamesLoopback() throws Exception {
    SecureStackSecrets secrets = SecureStackSecrets.loadOrCreate(home.resolve("secure"));
    Properties passwords = new Properties();
    try (InputStream in = Files.newInputStream(secrets.secretsFile())) {
      passwords.load(in);
    }
    KeyStore truststore = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(secrets.truststore())) {
      truststore.load(in, passwords.getProperty(SecureStackSecrets.TRUSTSTORE_PASSWORD_KEY).toCharArray());
    }
    KeyStore keystore = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(secrets.keystore())) {
      keystore.load(in, passwords.getProperty(SecureStackSecrets.KEYSTORE_PASSWORD_KEY).toCharArray());
    }

    assertThat(Collections.list(truststore.aliases())).containsExactly("baton-local-ca");
    assertThat(truststore.isCertificateEntry("baton-local-ca")).isTrue();
    X509Certificate ca = (X509Certificate) truststore.getCertificate("baton-local-ca");
    X509Certificate broker = (X509Certificate) keystore.getCertificate(SecureStackSecrets.BROKER);
    broker.verify(ca.getPublicKey());
    assertThat(broker.getSubjectX500Principal().getName()).isEqualTo("CN=baton-broker");
    assertThat(broker.getSubjectAlternativeNames())
        .containsExactlyInAnyOrder(List.of(2, "localhost"), List.of(7, "127.0.0.1"));
    assertThat(broker.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
    assertThat(ca.getBasicConstraints()).isEqualTo(0);
    assertThat(keystore.isKeyEntry(SecureStackSecrets.BROKER)).isTrue();
  }
}

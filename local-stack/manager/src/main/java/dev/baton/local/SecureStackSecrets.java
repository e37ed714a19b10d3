package dev.baton.local;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The secure local stack's secrets: the Kafka broker's TLS material and SCRAM passwords and the
 * REST catalog's bearer token, generated once in a folder (mode 0700, every file 0600) and read
 * back on later starts.
 *
 * <p>Layout of the folder:
 *
 * <ul>
 *   <li>{@value #CA_PEM}: the self-signed CA certificate (PEM)
 *   <li>{@value #TRUSTSTORE}: a PKCS12 truststore holding only the CA, for clients (and the broker)
 *   <li>{@value #KEYSTORE}: the broker's PKCS12 keystore: its key and its certificate, signed by the
 *       CA, subject {@code CN=baton-broker}, SAN {@code DNS:localhost, IP:127.0.0.1}, usable for
 *       server and client authentication
 *   <li>{@value #SECRETS}: the passwords, as properties: {@value #KEYSTORE_PASSWORD_KEY}, {@value
 *       #TRUSTSTORE_PASSWORD_KEY}, {@code sasl.<principal>.password} for each of {@link
 *       #SCRAM_PRINCIPALS} (see {@link #passwordKey}) and {@value #CATALOG_TOKEN_KEY}
 * </ul>
 *
 * <p>The CA's private key is never written: once the broker certificate is signed, no other
 * certificate can chain to the CA, so mutual TLS with this truststore admits the broker only.
 * Passwords are 32 random alphanumeric characters ({@link SecureRandom}); nothing here prints them.
 */
public final class SecureStackSecrets {

  /** The CA certificate (PEM). */
  public static final String CA_PEM = "ca.pem";
  /** The PKCS12 truststore holding the CA. */
  public static final String TRUSTSTORE = "truststore.p12";
  /** The broker's PKCS12 keystore. */
  public static final String KEYSTORE = "broker.p12";
  /** The passwords file. */
  public static final String SECRETS = "secrets.properties";
  /** Key of the broker keystore's password in {@value #SECRETS} (also its key password). */
  public static final String KEYSTORE_PASSWORD_KEY = "ssl.keystore.password";
  /** Key of the truststore's password in {@value #SECRETS}. */
  public static final String TRUSTSTORE_PASSWORD_KEY = "ssl.truststore.password";
  /** Key of the local REST catalog's bearer token in {@value #SECRETS}. */
  public static final String CATALOG_TOKEN_KEY = "catalog.token";

  /** The super user the stack itself uses (topics, ACLs, readiness probe). */
  public static final String ADMIN = "baton-admin";
  /** The Baton controller. */
  public static final String CONTROLLER = "baton-controller";
  /** Publishers of control events (the CLI's {@code events publish}). */
  public static final String PRODUCER = "baton-producer";
  /** Read-only watchers. */
  public static final String VIEWER = "baton-viewer";
  /** The local Kafka Connect worker and its source connectors. */
  public static final String CONNECT = "baton-connect";
  /**
   * The broker's own principal, from its certificate, on the inter-broker and controller
   * listeners (mutual TLS); it has no password.
   */
  public static final String BROKER = "baton-broker";
  /** The SCRAM-SHA-512 principals, each with a password in {@value #SECRETS}. */
  public static final List<String> SCRAM_PRINCIPALS = List.of(ADMIN, CONTROLLER, PRODUCER, VIEWER, CONNECT);

  private static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");
  private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  private static final int PASSWORD_LENGTH = 32;
  private static final Duration VALIDITY = Duration.ofDays(3650);

  private final Path dir;
  private final Properties secrets;

  private SecureStackSecrets(Path dir, Properties secrets) {
    this.dir = dir;
    this.secrets = secrets;
  }

  /**
   * Reads the material in {@code dir}, generating it first if the folder has no {@value #SECRETS}.
   * Generation writes into a sibling temporary folder and renames it, so a crash never leaves a
   * half-written folder behind.
   *
   * @throws UncheckedIOException if the folder cannot be written or read
   */
  public static SecureStackSecrets loadOrCreate(Path dir) {
    Path folder = requireNonNull(dir, "Invalid secure folder: null").toAbsolutePath();
    if (!Files.isRegularFile(folder.resolve(SECRETS))) {
      generate(folder);
    }
    Properties secrets = new Properties();
    try (InputStream in = Files.newInputStream(folder.resolve(SECRETS))) {
      secrets.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + folder.resolve(SECRETS), e);
    }
    List<String> required = new ArrayList<>(SCRAM_PRINCIPALS.stream().map(SecureStackSecrets::passwordKey).toList());
    required.add(CATALOG_TOKEN_KEY);
    for (String key : required) {
      if (secrets.getProperty(key) == null) {
        throw new LocalStackException("Cannot read " + key + " in " + folder.resolve(SECRETS)
            + ": it is missing; delete " + folder + " to generate new secrets (the next up then resets the secure"
            + " broker's data, whose SCRAM users had the old passwords)");
      }
    }
    return new SecureStackSecrets(folder, secrets);
  }

  /** The key of a SCRAM principal's password in {@value #SECRETS}: {@code sasl.<principal>.password}. */
  public static String passwordKey(String principal) {
    return "sasl." + requireNonNull(principal, "Invalid principal: null") + ".password";
  }

  /** The folder holding the material. */
  public Path dir() {
    return dir;
  }

  /** The PKCS12 truststore (CA only). */
  public Path truststore() {
    return dir.resolve(TRUSTSTORE);
  }

  /** The broker's PKCS12 keystore. */
  public Path keystore() {
    return dir.resolve(KEYSTORE);
  }

  /** The CA certificate as PEM. */
  public Path caCertificate() {
    return dir.resolve(CA_PEM);
  }

  /** The passwords file ({@value #SECRETS}). */
  public Path secretsFile() {
    return dir.resolve(SECRETS);
  }

  /** A SCRAM principal's password; package-private, so that only the stack itself reads them. */
  String password(String principal) {
    return secrets.getProperty(passwordKey(principal));
  }

  /** The local REST catalog's bearer token; package-private, handed to the catalog process only. */
  String catalogToken() {
    return secrets.getProperty(CATALOG_TOKEN_KEY);
  }

  /** The truststore's password. */
  String truststorePassword() {
    return secrets.getProperty(TRUSTSTORE_PASSWORD_KEY);
  }

  private static void generate(Path folder) {
    Path tmp = folder.resolveSibling(folder.getFileName() + ".tmp-" + ProcessHandle.current().pid());
    try {
      deleteRecursively(tmp);
      Files.createDirectories(folder.getParent());
      Files.createDirectory(tmp, PosixFilePermissions.asFileAttribute(DIR_MODE));
      Files.setPosixFilePermissions(tmp, DIR_MODE); // the umask may have narrowed nothing but be sure
      SecureRandom random = new SecureRandom();
      Properties secrets = new Properties();
      String keystorePassword = randomPassword(random);
      String truststorePassword = randomPassword(random);
      secrets.setProperty(KEYSTORE_PASSWORD_KEY, keystorePassword);
      secrets.setProperty(TRUSTSTORE_PASSWORD_KEY, truststorePassword);
      for (String principal : SCRAM_PRINCIPALS) {
        secrets.setProperty(passwordKey(principal), randomPassword(random));
      }
      secrets.setProperty(CATALOG_TOKEN_KEY, randomPassword(random));

      KeyPair caKeys = ecKeyPair(random);
      KeyPair brokerKeys = ecKeyPair(random);
      X509Certificate ca = caCertificate(caKeys, random);
      X509Certificate broker = brokerCertificate(ca, caKeys, brokerKeys, random);

      KeyStore keystore = KeyStore.getInstance("PKCS12");
      keystore.load(null, null);
      keystore.setKeyEntry(BROKER, brokerKeys.getPrivate(), keystorePassword.toCharArray(),
          new Certificate[] {broker, ca});
      writeStore(tmp.resolve(KEYSTORE), keystore, keystorePassword);
      KeyStore truststore = KeyStore.getInstance("PKCS12");
      truststore.load(null, null);
      truststore.setCertificateEntry("baton-local-ca", ca);
      writeStore(tmp.resolve(TRUSTSTORE), truststore, truststorePassword);
      try (Writer out = Files.newBufferedWriter(createPrivateFile(tmp.resolve(CA_PEM)), StandardCharsets.US_ASCII);
          JcaPEMWriter pem = new JcaPEMWriter(out)) {
        pem.writeObject(ca);
      }
      try (OutputStream out = Files.newOutputStream(createPrivateFile(tmp.resolve(SECRETS)))) {
        secrets.store(out, "baton local stack: secure Kafka passwords; keep private");
      }
      try {
        Files.move(tmp, folder, StandardCopyOption.ATOMIC_MOVE);
      } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException e) {
        // an empty or partial folder from elsewhere: keep nothing of it
        deleteRecursively(folder);
        Files.move(tmp, folder, StandardCopyOption.ATOMIC_MOVE);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot generate the secure Kafka material in " + folder, e);
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new LocalStackException("Cannot generate the secure Kafka material in " + folder + ": " + e, e);
    }
  }

  private static KeyPair ecKeyPair(SecureRandom random) throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"), random);
    return generator.generateKeyPair();
  }

  private static X509Certificate caCertificate(KeyPair caKeys, SecureRandom random)
      throws GeneralSecurityException, OperatorCreationException, IOException {
    X500Name name = new X500Name("CN=Baton local CA");
    Instant now = Instant.now();
    JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
    X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, serial(random),
        Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(VALIDITY)), name, caKeys.getPublic())
        .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
        .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
        .addExtension(Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(caKeys.getPublic()));
    return sign(builder, caKeys);
  }

  private static X509Certificate brokerCertificate(X509Certificate ca, KeyPair caKeys, KeyPair brokerKeys,
      SecureRandom random) throws GeneralSecurityException, OperatorCreationException, IOException {
    Instant now = Instant.now();
    JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
    X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(ca, serial(random),
        Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(VALIDITY)), new X500Name("CN=" + BROKER),
        brokerKeys.getPublic())
        .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
        .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement))
        // serverAuth for every listener, clientAuth for the broker's own mutual-TLS connections
        .addExtension(Extension.extendedKeyUsage, false,
            new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
        .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
            new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1")}))
        .addExtension(Extension.subjectKeyIdentifier, false,
            extensions.createSubjectKeyIdentifier(brokerKeys.getPublic()))
        .addExtension(Extension.authorityKeyIdentifier, false, extensions.createAuthorityKeyIdentifier(ca));
    return sign(builder, caKeys);
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair signer)
      throws GeneralSecurityException, OperatorCreationException {
    return new JcaX509CertificateConverter()
        .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
  }

  private static BigInteger serial(SecureRandom random) {
    return new BigInteger(64, random).add(BigInteger.ONE);
  }

  private static void writeStore(Path file, KeyStore store, String password)
      throws IOException, GeneralSecurityException {
    try (OutputStream out = Files.newOutputStream(createPrivateFile(file))) {
      store.store(out, password.toCharArray());
    }
  }

  /** Creates an empty file with mode 0600 before anything is written into it. */
  static Path createPrivateFile(Path file) throws IOException {
    Files.createFile(file, PosixFilePermissions.asFileAttribute(FILE_MODE));
    Files.setPosixFilePermissions(file, FILE_MODE);
    return file;
  }

  static String randomPassword(SecureRandom random) {
    // alphanumeric only: the value is embedded in JAAS and StorageTool's --add-scram syntax unquoted
    StringBuilder password = new StringBuilder(PASSWORD_LENGTH);
    for (int i = 0; i < PASSWORD_LENGTH; i++) {
      password.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
    }
    return password.toString();
  }

  /** Deletes {@code path} and everything below it; nothing if it does not exist. */
  static void deleteRecursively(Path path) throws IOException {
    if (!Files.exists(path)) {
      return;
    }
    try (var paths = Files.walk(path)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}

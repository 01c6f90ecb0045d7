package jmail.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Test certificates (EC P-256), generated on first use with the JDK's {@code keytool} (run as a
 * subprocess) into a temporary directory that is deleted at JVM exit, and cached per JVM.
 *
 * <ul>
 *   <li>{@link #localhost()}: self-signed, CN {@code localhost}, SAN {@code DNS:localhost} and
 *       {@code IP:127.0.0.1}, valid ten years;</li>
 *   <li>{@link #wrongName()}: self-signed, CN and SAN {@code other.example.net};</li>
 *   <li>{@link #expired()}: names as localhost, validity ended 29 days ago. It is issued by a
 *       throwaway CA ("CN=jmail test CA") because the JDK never checks the dates of a certificate
 *       that is itself a trust anchor; its trust store holds that CA.</li>
 * </ul>
 *
 * Each comes with a PKCS12 key store for servers and a PKCS12 trust store for clients that makes
 * the certificate trusted, so that only its name or dates can be wrong. Every store and key uses
 * the password {@link #PASSWORD}.
 */
public final class TestCerts {

    /** Password of every key store, trust store and key made here. */
    public static final String PASSWORD = "changeit";

    private static final String ALIAS = "jmail-test";
    private static final String LOCAL_SAN = "SAN=dns:localhost,ip:127.0.0.1";

    /**
     * One generated certificate and its stores.
     *
     * @param name       what the certificate is for: "localhost", "wrong-name" or "expired"
     * @param keyStore   PKCS12 file with the private key and certificate chain (alias "jmail-test")
     * @param trustStore PKCS12 file with one trusted entry (alias "jmail-test"): the certificate
     *                   itself, or for "expired" its issuing CA
     */
    public record Cert(String name, Path keyStore, Path trustStore) {

        /** The certificate the server presents. */
        public X509Certificate certificate() {
            try {
                return (X509Certificate) load(keyStore).getCertificate(ALIAS);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }

        /** The certificate a client must trust to accept this one (itself, or its CA). */
        public X509Certificate trustAnchor() {
            try {
                return (X509Certificate) load(trustStore).getCertificate(ALIAS);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }

        /** A server-side TLS context presenting this certificate. */
        public SSLContext serverContext() {
            try {
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(load(keyStore), PASSWORD.toCharArray());
                SSLContext ctx = SSLContext.getInstance("TLS");
                ctx.init(kmf.getKeyManagers(), null, null);
                return ctx;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }

        /** A client-side TLS context that trusts this certificate's {@link #trustAnchor()} (and nothing else). */
        public SSLContext clientContext() {
            return TestCerts.clientContext(this);
        }
    }

    private static Path dir;
    private static List<Cert> selfSigned;
    private static Cert expired;

    private TestCerts() {
    }

    /** Certificate for {@code localhost} and {@code 127.0.0.1}. */
    public static Cert localhost() {
        return selfSigned().get(0);
    }

    /** Certificate for {@code other.example.net}: trusted if you load it, but the wrong name for 127.0.0.1. */
    public static Cert wrongName() {
        return selfSigned().get(1);
    }

    /** Certificate for {@code localhost} and {@code 127.0.0.1} whose validity has ended. */
    public static Cert expired() {
        return expiredCert();
    }

    /** A client-side TLS context that trusts exactly the trust anchors of the given certificates. */
    public static SSLContext clientContext(Cert... trusted) {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trustStore(trusted));
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An in-memory PKCS12 trust store holding the trust anchors of the given certificates (aliases "cert0", ...). */
    public static KeyStore trustStore(Cert... trusted) {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            for (int i = 0; i < trusted.length; i++) {
                ks.setCertificateEntry("cert" + i, trusted[i].trustAnchor());
            }
            return ks;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes {@link #trustStore(Cert...)} to {@code file} (PKCS12, password {@link #PASSWORD}); returns the file. */
    public static Path writeTrustStore(Path file, Cert... trusted) {
        try (OutputStream out = Files.newOutputStream(file)) {
            trustStore(trusted).store(out, PASSWORD.toCharArray());
            return file;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static synchronized Path dir() throws IOException {
        if (dir == null) {
            Path d = Files.createTempDirectory("jmail-testcerts");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(d)));
            dir = d;
        }
        return dir;
    }

    /** The two self-signed certificates, generated together on first use. */
    private static synchronized List<Cert> selfSigned() {
        if (selfSigned == null) {
            try {
                Path d = dir();
                Process local = keytool(d, "localhost", genKeyPair(d.resolve("localhost.p12"), ALIAS,
                        "CN=localhost", LOCAL_SAN, "3650"));
                Process other = keytool(d, "wrong-name", genKeyPair(d.resolve("wrong-name.p12"), ALIAS,
                        "CN=other.example.net", "SAN=dns:other.example.net", "3650"));
                finish(d, local, "localhost");
                finish(d, other, "wrong-name");
                selfSigned = List.of(selfSignedCert(d, "localhost"), selfSignedCert(d, "wrong-name"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }
        return selfSigned;
    }

    /**
     * The expired certificate. It is signed by a throwaway CA and its trust store holds that CA:
     * the JDK does not check the dates of a certificate that is itself a trust anchor, so an
     * expired self-signed certificate that the client trusts would still be accepted.
     */
    private static synchronized Cert expiredCert() {
        if (expired == null) {
            try {
                Path d = dir();
                Path caStore = d.resolve("expired-ca.p12");
                Path leafStore = d.resolve("expired.p12");
                Process ca = keytool(d, "expired-ca", genKeyPair(caStore, "ca", "CN=jmail test CA", "bc:c", "3650"));
                Process leaf = keytool(d, "expired-key", genKeyPair(leafStore, ALIAS, "CN=localhost", LOCAL_SAN, "3650"));
                finish(d, ca, "expired-ca");
                finish(d, leaf, "expired-key");
                finish(d, keytool(d, "expired-csr", List.of("-certreq", "-alias", ALIAS,
                        "-keystore", leafStore.toString(), "-storepass", PASSWORD,
                        "-file", d.resolve("expired.csr").toString())), "expired-csr");
                finish(d, keytool(d, "expired-sign", List.of("-gencert", "-alias", "ca",
                        "-keystore", caStore.toString(), "-storepass", PASSWORD,
                        "-infile", d.resolve("expired.csr").toString(),
                        "-outfile", d.resolve("expired.cer").toString(),
                        "-startdate", "-30d", "-validity", "1", "-ext", LOCAL_SAN)), "expired-sign");

                X509Certificate caCert = (X509Certificate) load(caStore).getCertificate("ca");
                X509Certificate leafCert;
                try (InputStream in = Files.newInputStream(d.resolve("expired.cer"))) {
                    leafCert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
                }
                KeyStore ks = load(leafStore);
                ks.setKeyEntry(ALIAS, ks.getKey(ALIAS, PASSWORD.toCharArray()), PASSWORD.toCharArray(),
                        new Certificate[] {leafCert, caCert});
                store(ks, leafStore);
                Path trustStore = d.resolve("expired-trust.p12");
                store(trustStoreOf(caCert), trustStore);
                expired = new Cert("expired", leafStore, trustStore);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }
        return expired;
    }

    private static Cert selfSignedCert(Path d, String name) throws IOException, GeneralSecurityException {
        Path keyStore = d.resolve(name + ".p12");
        Path trustStore = d.resolve(name + "-trust.p12");
        store(trustStoreOf((X509Certificate) load(keyStore).getCertificate(ALIAS)), trustStore);
        return new Cert(name, keyStore, trustStore);
    }

    private static List<String> genKeyPair(Path keyStore, String alias, String dname, String ext, String days) {
        return List.of("-genkeypair", "-noprompt", "-alias", alias, "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", dname, "-ext", ext, "-validity", days,
                "-keystore", keyStore.toString(), "-storetype", "PKCS12",
                "-storepass", PASSWORD, "-keypass", PASSWORD);
    }

    /** Starts the JDK's keytool with these arguments; output goes to {@code <step>.log}. */
    private static Process keytool(Path d, String step, List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.add("-J-XX:TieredStopAtLevel=1"); // these two make keytool start faster
        cmd.add("-J-XX:+UseSerialGC");
        cmd.addAll(args);
        return new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(d.resolve(step + ".log").toFile()).start();
    }

    private static void finish(Path d, Process p, String step) throws IOException {
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("keytool timed out: " + step);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for keytool: " + step, e);
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException("keytool failed (" + step + "): "
                    + Files.readString(d.resolve(step + ".log"), StandardCharsets.UTF_8));
        }
    }

    private static KeyStore trustStoreOf(X509Certificate cert) throws GeneralSecurityException, IOException {
        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        ts.setCertificateEntry(ALIAS, cert);
        return ts;
    }

    private static void store(KeyStore ks, Path file) throws GeneralSecurityException, IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            ks.store(out, PASSWORD.toCharArray());
        }
    }

    private static KeyStore load(Path file) throws GeneralSecurityException {
        try (InputStream in = Files.newInputStream(file)) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, PASSWORD.toCharArray());
            return ks;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort at JVM exit
        }
    }
}

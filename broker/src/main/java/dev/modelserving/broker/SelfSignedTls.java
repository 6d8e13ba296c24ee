package dev.modelserving.broker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * For tests: a broker's TLS material made at run time with the running JVM's {@code keytool}, so nothing secret is
 * committed. A PKCS12 keystore with a new RSA key and a self-signed certificate for {@code 127.0.0.1} and
 * {@code localhost} (subject alternative names, so clients verify the host name as they do by default), and a
 * PKCS12 truststore holding that certificate alone. One random password for both.
 *
 * @param keystore the broker's key and certificate
 * @param truststore the certificate, for clients
 * @param password the password of both stores (and of the key)
 */
public record SelfSignedTls(Path keystore, Path truststore, String password) {

    private static final String ALIAS = "broker";

    /** Makes the stores in {@code dir} (created if missing); takes a few seconds (three keytool runs). */
    public static SelfSignedTls generate(Path dir) {
        try {
            Files.createDirectories(dir);
            Path keystore = dir.resolve("broker.keystore.p12");
            Path truststore = dir.resolve("client.truststore.p12");
            Path certificate = dir.resolve("broker.crt");
            for (Path p : List.of(keystore, truststore, certificate)) {
                Files.deleteIfExists(p);
            }
            String password = UUID.randomUUID().toString().replace("-", "");
            keytool(dir, "-genkeypair", "-alias", ALIAS, "-keyalg", "RSA", "-keysize", "2048", "-validity", "7",
                    "-dname", "CN=localhost", "-ext", "SAN=IP:127.0.0.1,DNS:localhost",
                    "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", password,
                    "-keypass", password);
            keytool(dir, "-exportcert", "-rfc", "-alias", ALIAS, "-keystore", keystore.toString(), "-storepass",
                    password, "-file", certificate.toString());
            keytool(dir, "-importcert", "-noprompt", "-alias", ALIAS, "-file", certificate.toString(),
                    "-storetype", "PKCS12", "-keystore", truststore.toString(), "-storepass", password);
            return new SelfSignedTls(keystore.toAbsolutePath(), truststore.toAbsolutePath(), password);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make the TLS stores in " + dir, e);
        }
    }

    /** A broker listener that serves this certificate on the port (0: a free one). */
    public TlsListener listener(int port) {
        return new TlsListener(port, keystore, password, truststore, password);
    }

    /** The client properties that connect to such a listener and trust its certificate. */
    public Map<String, String> clientProperties() {
        return Map.of("security.protocol", TlsListener.NAME,
                "ssl.truststore.location", truststore.toString(),
                "ssl.truststore.password", password,
                "ssl.truststore.type", "PKCS12");
    }

    private static void keytool(Path dir, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        try {
            byte[] output = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("keytool " + args[0] + " still ran after 60 s");
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException("keytool " + args[0] + " failed with exit code " + p.exitValue()
                        + ": " + new String(output, StandardCharsets.UTF_8).strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IllegalStateException("interrupted while keytool " + args[0] + " ran", e);
        }
    }
}

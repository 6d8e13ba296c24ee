package dev.modelserving.broker;

import java.nio.file.Path;

/**
 * A TLS listener of the broker (listener and security protocol {@code SSL}): clients connect with
 * {@code security.protocol=SSL} and a truststore that trusts the broker's certificate. The stores are PKCS12.
 *
 * @param port the port, 0 for a free one
 * @param keystore the broker's private key and certificate
 * @param keystorePassword the keystore's password (also the key's)
 * @param truststore the certificates the broker trusts (only used when it asks clients for theirs), or null
 * @param truststorePassword the truststore's password, or null
 */
public record TlsListener(int port, Path keystore, String keystorePassword, Path truststore,
        String truststorePassword) {

    /** The listener's name and security protocol. */
    public static final String NAME = "SSL";

    public TlsListener {
        if (keystore == null || keystorePassword == null) {
            throw new IllegalArgumentException("a TLS listener needs a keystore and its password");
        }
        if ((truststore == null) != (truststorePassword == null)) {
            throw new IllegalArgumentException("a truststore needs its password, and a password its truststore");
        }
    }

    /** The same listener on another port. */
    public TlsListener onPort(int otherPort) {
        return new TlsListener(otherPort, keystore, keystorePassword, truststore, truststorePassword);
    }
}

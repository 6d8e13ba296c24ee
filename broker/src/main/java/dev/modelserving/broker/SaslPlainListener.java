package dev.modelserving.broker;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * A SASL listener of the broker without TLS (listener and security protocol {@code SASL_PLAINTEXT}) that takes the
 * PLAIN mechanism and knows one user. Clients log in with {@link #clientProperties()}. PLAIN sends the password in
 * clear: for tests and demos on loopback; a real cluster runs it over TLS ({@code SASL_SSL}).
 *
 * @param port the port, 0 for a free one
 * @param username the one user the broker accepts (letters, digits, {@code _}, {@code -} and {@code .})
 * @param password that user's password (no {@code "} or {@code \})
 */
public record SaslPlainListener(int port, String username, String password) {

    /** The listener's name and security protocol. */
    public static final String NAME = "SASL_PLAINTEXT";
    private static final Pattern USER = Pattern.compile("[A-Za-z0-9_.-]+");

    public SaslPlainListener {
        if (username == null || !USER.matcher(username).matches()) {
            throw new IllegalArgumentException("SASL user '" + username + "' is not a plain name (letters, digits,"
                    + " _, - and . only)");
        }
        if (password == null || password.isEmpty() || password.contains("\"") || password.contains("\\")) {
            throw new IllegalArgumentException("the SASL password must be given, without \" or \\");
        }
    }

    /** The broker's side: the JAAS configuration of the PLAIN mechanism on this listener, with its one user. */
    String brokerJaasConfig() {
        return "org.apache.kafka.common.security.plain.PlainLoginModule required user_" + username + "=\""
                + password + "\";";
    }

    /** A client's {@code sasl.jaas.config} that logs in as this user with this password. */
    public static String clientJaasConfig(String username, String password) {
        return "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + username
                + "\" password=\"" + password + "\";";
    }

    /** The client properties that log in on this listener as its user. */
    public Map<String, String> clientProperties() {
        return Map.of("security.protocol", NAME, "sasl.mechanism", "PLAIN",
                "sasl.jaas.config", clientJaasConfig(username, password));
    }

    /** The same listener on another port. */
    public SaslPlainListener onPort(int otherPort) {
        return new SaslPlainListener(otherPort, username, password);
    }
}

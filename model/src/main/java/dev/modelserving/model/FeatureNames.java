package dev.modelserving.model;

/**
 * How feature names match: lower case, letters and digits only (of any script), so every spelling of a name is one
 * feature.
 */
public final class FeatureNames {

    private FeatureNames() {}

    /** The form every spelling of a name shares: {@code Fixed Acidity} and {@code fixed_acidity} give {@code fixedacidity}. */
    public static String key(String name) {
        StringBuilder key = new StringBuilder(name.length());
        name.codePoints().filter(Character::isLetterOrDigit).map(Character::toLowerCase).forEach(key::appendCodePoint);
        return key.toString();
    }
}

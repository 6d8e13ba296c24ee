package dev.modelserving.suite;

import java.lang.annotation.ElementType;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** A {@code model-server.*} setting the suite starts the server with for this test case. */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
@Repeatable(WithServerSetting.List.class)
public @interface WithServerSetting {

    String key();

    String value();

    /** Several settings on one case. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.METHOD)
    @interface List {
        WithServerSetting[] value();
    }
}

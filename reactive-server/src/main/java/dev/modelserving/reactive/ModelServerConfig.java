package dev.modelserving.reactive;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** {@code model-server.*}: what models may be loaded, and how long scoring waits for the models at start-up. */
@ConfigMapping(prefix = "model-server")
public interface ModelServerConfig {

    /** Models larger than this are refused before parsing. */
    @WithDefault("67108864")
    long maxModelBytes();

    /** Directories by-reference models may be read from; none: by-reference loading is off. */
    Optional<List<Path>> modelRoots();

    /** Where SavedModel zips are unpacked while loading. */
    @WithDefault("${java.io.tmpdir}/model-serving")
    Path workDir();

    /** At start-up, scoring waits at most this long for the models topic to be read to its end. */
    @WithDefault("60")
    int modelsCatchUpSeconds();
}

package dev.modelserving.kstreams;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the global store of published models keeps of a dataType's messages. */
class PublishedModelsTest {

    private static PublishedModels.Entry message(long offset, String key) {
        return new PublishedModels.Entry("wine", key, offset, new byte[] {1});
    }

    private static PublishedModels.Entry tombstone(long offset, String key) {
        return new PublishedModels.Entry("wine", key, offset, null);
    }

    private static List<Long> kept(List<PublishedModels.Entry> entries) {
        List<PublishedModels.Entry> kept = new ArrayList<>(entries);
        kept.removeAll(PublishedModels.pruned(entries));
        return kept.stream().map(PublishedModels.Entry::offset).toList();
    }

    @Test
    void theLastMessagesAreKeptWhateverTheirKeys() {
        List<PublishedModels.Entry> entries = new ArrayList<>();
        for (int i = 0; i < PublishedModels.HISTORY; i++) {
            entries.add(message(i, "wine"));
        }
        assertThat(kept(entries)).hasSize(PublishedModels.HISTORY);
    }

    @Test
    void olderThanTheLastMessagesTheNewestOfEachKeyStaysAsCompactionWouldKeepIt() {
        List<PublishedModels.Entry> entries = new ArrayList<>();
        entries.add(message(0, "wine/1")); // live, then gone back to: the message behind it stays
        entries.add(message(1, "wine/2"));
        entries.add(message(2, "wine/2")); // replaced by offset 2
        entries.add(tombstone(3, "wine/3")); // a withdrawn version: its tombstone goes once it is old
        for (int i = 4; i < 4 + PublishedModels.HISTORY; i++) {
            entries.add(message(i, "wine/broken")); // refused versions, published again and again
        }
        assertThat(kept(entries)).containsExactly(0L, 2L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L);
    }

    @Test
    void noMoreThanTheCapOfEntriesIsKeptPerDataType() {
        List<PublishedModels.Entry> entries = new ArrayList<>();
        for (int i = 0; i < PublishedModels.MAX_ENTRIES + 10; i++) {
            entries.add(message(i, "wine/" + i));
        }
        assertThat(kept(entries)).hasSize(PublishedModels.MAX_ENTRIES).startsWith(10L)
                .endsWith(PublishedModels.MAX_ENTRIES + 9L);
    }
}

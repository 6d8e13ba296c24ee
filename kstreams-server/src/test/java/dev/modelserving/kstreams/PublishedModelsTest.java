package dev.modelserving.kstreams;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the global store of published models keeps of a dataType's messages. */
class PublishedModelsTest {

    private static PublishedModels.Entry message(long offset, String key) {
        return PublishedModels.Entry.of("wine", key, offset, new byte[] {1});
    }

    private static PublishedModels.Entry tombstone(long offset, String key) {
        return PublishedModels.Entry.of("wine", key, offset, null);
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
    void pastTheBytesOrEntriesOfTheStoreReplacedMessagesGoFirstThenDataTypesNoTaskServesNeverTheNewest() {
        List<PublishedModels.Entry> entries = new ArrayList<>();
        entries.add(PublishedModels.Entry.of("wine", "wine/1", 0, new byte[1000]));
        for (int i = 1; i <= 10; i++) {
            entries.add(PublishedModels.Entry.of("junk-" + i, "junk-" + i, i, new byte[1000]));
        }
        entries.add(PublishedModels.Entry.of("wine", "wine/2", 11, new byte[1000]));

        entries.add(PublishedModels.Entry.of("wine", "wine/1", 12, new byte[1000])); // replaces offset 0
        entries.add(PublishedModels.Entry.of("new", "new", 13, new byte[1000])); // just written
        long total = entries.stream().mapToLong(PublishedModels.Entry::size).sum();

        assertThat(PublishedModels.overLimits(entries, new PublishedModels.Limits(total), t -> t.equals("wine"), 13))
                .isEmpty();
        // what a newer message of its key replaces goes first, then dataTypes no task serves, the oldest first
        List<PublishedModels.Entry> dropped = PublishedModels.overLimits(entries,
                new PublishedModels.Limits(total - 3_500), t -> t.equals("wine"), 13);
        assertThat(dropped).extracting(PublishedModels.Entry::offset).containsExactly(0L, 1L, 2L, 3L);
        // when nothing else is left, served dataTypes' oldest messages go too; never the one just written
        assertThat(PublishedModels.overLimits(entries, new PublishedModels.Limits(1_500), t -> t.equals("wine"), 13))
                .extracting(PublishedModels.Entry::offset).hasSize(13).doesNotContain(13L);
        // the count too
        List<PublishedModels.Entry> many = new ArrayList<>();
        for (int i = 0; i < PublishedModels.MAX_TOTAL_ENTRIES + 5; i++) {
            many.add(PublishedModels.Entry.of("t" + i, "t" + i, i, new byte[1]));
        }
        assertThat(PublishedModels.overLimits(many, PublishedModels.Limits.DEFAULT, t -> false, 0))
                .extracting(PublishedModels.Entry::offset).containsExactly(1L, 2L, 3L, 4L, 5L);
    }

    @Test
    void anEntryGivesItsDescriptorOnlyWhenAskedAndTellsATombstone() {
        byte[] descriptor = {7, 8, 9};
        PublishedModels.Entry e = PublishedModels.Entry.of("wine", "wine/3", 5, descriptor);
        assertThat(e.removed()).isFalse();
        assertThat(e.holds(descriptor)).isTrue();
        assertThat(e.holds(new byte[] {7, 8})).isFalse();
        assertThat(e.descriptor()).containsExactly(7, 8, 9);
        PublishedModels.Entry gone = PublishedModels.Entry.of("wine", "wine/3", 6, null);
        assertThat(gone.removed()).isTrue();
        assertThat(gone.descriptor()).isNull();
        assertThat(gone.holds(descriptor)).isFalse();
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

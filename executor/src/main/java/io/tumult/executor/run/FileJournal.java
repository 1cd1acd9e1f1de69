package io.tumult.executor.run;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import io.tumult.schemas.json.TumultJson;

/**
 * A {@link Journal} of one JSON file per injection in a directory. Each is written to a temporary file, fsync'd,
 * renamed into place and the directory fsync'd, so an entry is either wholly there or not at all after a crash.
 * The directory is locked for the life of this object: two executors never share (and so never recover) one journal.
 */
public final class FileJournal implements Journal, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(FileJournal.class);
    private static final String SUFFIX = ".json";
    private static final String TEMP_PREFIX = ".tmp-";
    private static final ObjectMapper JSON = TumultJson.configure(JsonMapper.builder().build())
            .setSerializationInclusion(JsonInclude.Include.NON_NULL);

    private final Path dir;
    private final FileChannel lockFile;
    private final FileLock lock;

    /** Opens (creating) the journal in {@code dir}; fails when another live process holds it. */
    public FileJournal(Path dir) {
        this.dir = dir;
        try {
            Files.createDirectories(dir);
            lockFile = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock held;
            try {
                held = lockFile.tryLock();
            } catch (OverlappingFileLockException e) {
                held = null;
            }
            if (held == null) {
                lockFile.close();
                throw new IllegalStateException("journal directory " + dir + " is in use by another executor"
                        + " (tumult.executor.journal-dir must be one per executor)");
            }
            lock = held;
            try (Stream<Path> files = Files.list(dir)) { // half-written entries of a crash: never renamed, never valid
                for (Path temp : files.filter(p -> p.getFileName().toString().startsWith(TEMP_PREFIX)).toList()) {
                    Files.deleteIfExists(temp);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the journal in " + dir, e);
        }
    }

    /** The directory this journal keeps its entries in. */
    public Path dir() {
        return dir;
    }

    @Override
    public void record(JournalEntry entry) {
        Path target = fileFor(entry);
        Path temp = dir.resolve(TEMP_PREFIX + target.getFileName());
        try {
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer bytes = ByteBuffer.wrap(JSON.writeValueAsBytes(entry));
                while (bytes.hasRemaining()) {
                    out.write(bytes);
                }
                out.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            syncDir();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot journal run " + entry.runId() + " in " + dir, e);
        }
    }

    @Override
    public void remove(JournalEntry entry) {
        try {
            if (Files.deleteIfExists(fileFor(entry))) {
                syncDir();
            }
        } catch (IOException e) {
            // left in place, the entry is reverted again (harmlessly) and reported on the next start
            LOG.warnf("runId=%s cannot remove its journal entry: %s", entry.runId(), e.getMessage());
        }
    }

    @Override
    public List<JournalEntry> entries() {
        var entries = new ArrayList<JournalEntry>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(p -> p.getFileName().toString().endsWith(SUFFIX)
                    && !p.getFileName().toString().startsWith(TEMP_PREFIX))
                    .sorted(Comparator.comparing(FileJournal::modified)).toList()) {
                try {
                    entries.add(JSON.readValue(Files.readAllBytes(file), JournalEntry.class));
                } catch (IOException | RuntimeException e) {
                    // never dropped silently: an unreadable entry stays for an operator, and says so at every start
                    LOG.errorf("unreadable journal entry %s left in place: %s", file, e.getMessage());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the journal in " + dir, e);
        }
        return entries;
    }

    @Override
    public void close() {
        try {
            lock.release();
            lockFile.close();
        } catch (IOException e) {
            LOG.debugf("closing the journal lock: %s", e.getMessage());
        }
    }

    private Path fileFor(JournalEntry entry) {
        return dir.resolve(entry.runId() + "-" + digest(entry.injection().target().describe()) + SUFFIX);
    }

    private void syncDir() throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }

    private static long modified(Path file) {
        try {
            return Files.getLastModifiedTime(file).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }

    private static String digest(String text) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
